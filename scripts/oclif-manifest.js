#!/usr/bin/env node
// Writes oclif.manifest.json from the built commands, so oclif does not glob and import every
// command module at each start (issue #8). npm run build runs it after tsc; the manifest is a
// build output (gitignored), regenerated whenever the commands are.
import {rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Config} from '@oclif/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'oclif.manifest.json');
// Build from the commands themselves, never from a previous manifest.
rmSync(out, {force: true});
const config = await Config.load({root});
const plugin = config.plugins.get(config.pjson.name);
const manifest = {commands: plugin.manifest.commands, version: config.version};
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote oclif.manifest.json (${Object.keys(manifest.commands).length} commands)`);
