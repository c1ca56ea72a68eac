/**
 * The fast path of `generate` (src/cli/generate-main.ts, issue #8) must be invisible: for every
 * argv it accepts, it parses the same flags as oclif's own parser, and a run prints the same
 * output, writes the same files and exits with the same code as the oclif path; everything it
 * does not accept (help, usage errors) goes to oclif untouched.
 */
import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {Parser} from '@oclif/core';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {parseGenerateArgv} from '../src/cli/generate-main.js';
import Generate from '../src/commands/generate.js';
import {caseEnv, repoRoot} from './helpers/compose-real.js';
import {copyTo, runCli, snapshot, tempProject} from './helpers/review.js';

const manifestFlags = () => JSON.parse(readFileSync(path.join(repoRoot(), 'oclif.manifest.json'), 'utf8')).commands.generate.flags;

async function oclifFlags(argv: string[]): Promise<Record<string, unknown> | Error> {
  try {
    const r = await Parser.parse(argv, {flags: Generate.flags, args: {}, strict: true, context: undefined as never});
    if (r.argv.length || r.nonExistentFlags?.length) return new Error(`unexpected arguments ${JSON.stringify(r.argv)}`);
    return r.flags as Record<string, unknown>;
  } catch (e) {
    return e as Error;
  }
}

const ACCEPTED: string[][] = [
  [],
  ['--backend', 'apparmor'],
  ['--backend=selinux', '--level', 'strict', '--mode=complain'],
  ['-f', 'a.yml', '--file', 'b.yml', '--file=c.yml', '-p', 'shop'],
  ['--project-name=x', '--project-directory', 'sub', '--env-file', '.env.a', '--env-file=.env.b'],
  ['--profile', 'debug', '--profile', 'db,cache', '--out', 'policies', '--selinux-relabel'],
  ['--force', '--json', '--out=out dir'],
  ['--out', 'a=b', '--file', 'x:y.yml'],
];

const DECLINED: string[][] = [
  ['--help'],
  ['-h'],
  ['--version'],
  ['--'],
  ['--', '--force'],
  ['extra'],
  ['--file', 'a.yml', 'b.yml'],
  ['--bogus'],
  ['--backend', 'smack'],
  ['--backend'],
  ['--out', ''],
  ['--out='],
  ['--out', '--force'],
  ['-f', '-'],
  ['-fcompose.yaml'],
  ['-f=compose.yaml'],
  ['--force=true'],
  ['--force', '--force'],
  ['--out', 'a', '--out', 'b'],
  ['--no-force'],
  ['-x'],
  ['-'],
];

test('every accepted argv parses to exactly the flags oclif parses', async () => {
  const flags = manifestFlags();
  for (const argv of ACCEPTED) {
    const fast = parseGenerateArgv(argv, flags);
    assert.ok(fast, `accepted: ${JSON.stringify(argv)}`);
    const slow = await oclifFlags(argv);
    assert.not.instance(slow, Error, JSON.stringify(argv));
    assert.equal(fast, slow, JSON.stringify(argv));
  }
});

test('help, separators, arguments and anything oclif would refuse or read otherwise are left to oclif', () => {
  const flags = manifestFlags();
  for (const argv of DECLINED) assert.is(parseGenerateArgv(argv, flags), undefined, JSON.stringify(argv));
});

test('a flag feature the fast path does not implement makes it decline', () => {
  const flags = manifestFlags();
  assert.is(parseGenerateArgv([], {...flags, extra: {name: 'extra', type: 'option', env: 'X'}}), undefined);
  assert.is(parseGenerateArgv([], {...flags, extra: {name: 'extra', type: 'boolean', allowNo: true}}), undefined);
  assert.is(parseGenerateArgv([], {...flags, extra: {name: 'extra', type: 'custom'}}), undefined);
});

/** The oclif path for the same argv: oclif's execute, as bin/run.js calls it without a fast path. */
function runOclif(args: string[], cwd: string) {
  const root = repoRoot();
  const script = `const {execute} = await import(${JSON.stringify(pathToFileURL(path.join(root, 'node_modules/@oclif/core/lib/execute.js')).href)});
await execute({dir: ${JSON.stringify(pathToFileURL(path.join(root, 'bin/run.js')).href)}, args: ${JSON.stringify(['generate', ...args])}});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd, env: caseEnv({}), encoding: 'utf8', timeout: 120_000});
  return {status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? ''};
}

const COMPOSE = `name: shop
services:
  web:
    image: nginx:1.25
    ports: ["8080:80"]
    volumes: ["./html:/usr/share/nginx/html:ro", "cache:/var/cache/nginx"]
    cap_add: [NET_ADMIN]
  db:
    image: postgres:16
    environment: {PASSWORD: "\${DB_PASSWORD}"}
volumes:
  cache:
`;

test('a run through the fast path prints, writes and exits exactly as through oclif', () => {
  const base = tempProject({'compose.yaml': COMPOSE});
  const cases: Array<{args: string[]; status: number; prepare?: (dir: string) => void}> = [
    {args: ['--backend', 'apparmor'], status: 0},
    {args: ['--backend', 'apparmor', '--json', '--out', 'policies'], status: 0},
    {args: ['--backend', 'apparmor', '--level', 'strict', '--mode', 'complain'], status: 0},
    // A bad compose file: a usage error from the core, exit 2.
    {args: ['--backend', 'apparmor', '-f', 'missing.yaml'], status: 2},
    // A hand edit refused, exit 1.
    {
      args: ['--backend', 'apparmor'],
      status: 1,
      prepare: (dir) => {
        assert.is(runCli(['generate', '--backend', 'apparmor'], dir).status, 0);
        writeFileSync(path.join(dir, 'hardcompose/apparmor/hardcompose.shop.db'), '# edited\n');
      },
    },
  ];
  for (const c of cases) {
    const a = copyTo(base);
    const b = copyTo(base);
    c.prepare?.(a);
    c.prepare?.(b);
    // The two copies differ only in their folder, which --json and some messages print.
    const at = (r: {status: number | null; stdout: string; stderr: string}, dir: string) => ({
      status: r.status,
      stdout: r.stdout.split(dir).join('DIR'),
      stderr: r.stderr.split(dir).join('DIR'),
    });
    const fast = at(runCli(['generate', ...c.args], a), a);
    const slow = at(runOclif(c.args, b), b);
    const what = JSON.stringify(c.args);
    assert.is(fast.status, c.status, `${what}: ${fast.stderr}`);
    assert.equal(fast, slow, what);
    const files = (dir: string) => new Map([...snapshot(dir)].map(([k, v]) => [k, v.content]));
    assert.equal(files(a), files(b), `${what}: same files`);
  }
});

test('help and usage errors of generate still come from oclif', () => {
  const dir = tempProject({'compose.yaml': COMPOSE});
  for (const args of [['--help'], ['--bogus'], ['--backend', 'smack'], ['extra']]) {
    const r = runCli(['generate', ...args], dir);
    assert.equal(r, runOclif(args, dir), JSON.stringify(args));
  }
  assert.match(runCli(['generate', '--help'], dir).stdout, 'USAGE');
});

test.run();
