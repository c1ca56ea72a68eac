/** The oclif manifest written by npm run build must list exactly the commands that exist. */
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {repoRoot} from './helpers/compose-real.js';

test('oclif.manifest.json lists every command module and nothing else', () => {
  const root = repoRoot();
  const file = path.join(root, 'oclif.manifest.json');
  if (!existsSync(file)) {
    if (process.env.CI === 'true') assert.unreachable('oclif.manifest.json missing: npm run build must run scripts/oclif-manifest.js');
    console.log('  SKIP manifest: run npm run build');
    return;
  }
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as {version: string; commands: Record<string, unknown>};
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string};
  assert.is(manifest.version, pkg.version);
  const modules = readdirSync(path.join(root, 'src/commands'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
  assert.equal(Object.keys(manifest.commands).sort(), modules, 'stale manifest: run npm run build');
});

test.run();
