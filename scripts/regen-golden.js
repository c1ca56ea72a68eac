#!/usr/bin/env node
// Regenerates the expected outputs of test/fixtures/generate/<case>/ with the built CLI.
// Review every resulting diff (git diff test/fixtures) before committing: the golden files
// are the reviewed statement of what hardcompose writes.
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const base = path.join(root, 'test/fixtures/generate');
const only = process.argv.slice(2);
for (const name of readdirSync(base).sort()) {
  if (only.length && !only.includes(name)) continue;
  const dir = path.join(base, name);
  const argsFile = path.join(dir, 'args.json');
  const extra = existsSync(argsFile) ? JSON.parse(readFileSync(argsFile, 'utf8')).args ?? [] : [];
  rmSync(path.join(dir, 'expected'), {recursive: true, force: true});
  const r = spawnSync(process.execPath, [path.join(root, 'bin/run.js'), 'generate', ...(extra.includes('--backend') ? [] : ['--backend', 'apparmor']), '--out', 'expected', ...extra], {cwd: dir, encoding: 'utf8', env: {...process.env, HOME: '/nonexistent'}});
  process.stdout.write(`${name}: exit ${r.status}\n`);
  if (r.status !== 0) process.stdout.write(r.stderr);
}
