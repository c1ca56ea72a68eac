/**
 * The bad-input corpus: every folder under test/fixtures/bad/<case>/ is a project hardcompose
 * must refuse. `bin/run.js config` (the real binary, cwd the case folder, flags from args.json)
 * must exit 2 with one readable error — its code, the file (and line or compose path where
 * expect.json gives one), a `hint:` line, no stack trace — and loadProject must throw the same
 * UserError in-process. Where expect.json says `composeRejects: true`, the real
 * `docker compose config` must refuse the project too (Compose is the referee); where it says
 * false, Compose must accept it, so every case where hardcompose is stricter is written down
 * (its `note` says why). `composeNotRun` names cases the referee is not asked about, and why.
 *
 * expect.json: {code, file, line?, path?, messageIncludes?, composeRejects, composeNotRun?, maxMs?, note?}
 */
import {spawn} from 'node:child_process';
import net from 'node:net';
import {chmodSync, copyFileSync, cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {loadProject} from '../src/compose/load.js';
import {type CaseArgs, type Run, caseEnv, composeFlags, pool, readCaseArgs, repoRoot, requireCompose, runComposeAsync} from './helpers/compose-real.js';

interface Expect {
  code: string;
  /** The file the message must name; null when the input is a flag, not a file. */
  file: string | null;
  line?: number;
  path?: string;
  messageIncludes?: string;
  composeRejects: boolean;
  composeNotRun?: string;
  /**
   * Upper bound for the in-process load, in milliseconds of CPU time (wall time would fail on a
   * busy machine), and then its heap growth must stay under 256 MB too.
   */
  maxMs?: number;
  note?: string;
}

interface Case {
  name: string;
  dir: string;
  args: CaseArgs;
  expect: Expect;
  /** Run as this uid/gid (unreadable files when the tests run as root). */
  uid?: number;
  /** DOCKER_CONFIG for that user, when the compose plugin lives in a folder it cannot reach. */
  dockerConfig?: string;
}

const root = repoRoot();
const BIN = path.join(root, 'bin/run.js');
const BAD = path.join(root, 'test/fixtures/bad');
const NOBODY = 65534;

function readCases(): Case[] {
  return readdirSync(BAD)
    .filter((n) => statSync(path.join(BAD, n)).isDirectory())
    .sort()
    .map((name) => {
      const dir = path.join(BAD, name);
      return {name, dir, args: readCaseArgs(dir), expect: JSON.parse(readFileSync(path.join(dir, 'expect.json'), 'utf8')) as Expect};
    });
}

/** The compose plugin binary, when it sits in a per-user folder (~/.docker/cli-plugins). */
function privateComposePlugin(): string | undefined {
  const dir = process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
  const p = path.join(dir, 'cli-plugins/docker-compose');
  return existsSync(p) ? p : undefined;
}

/** True when a user with no rights beyond "others" can reach `dir` (every ancestor has o+x). */
function othersCanReach(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

/** Unix sockets left listening for the `unreadable-file` fallback, closed after the run. */
const sockets: net.Server[] = [];

/**
 * `unreadable-file` cannot live in git: it is copied to a temporary folder and its compose.yaml
 * made mode 000. Root reads such a file anyway, so as root both tools run as uid 65534, with a
 * DOCKER_CONFIG holding a link to the compose plugin that user can reach. When that user cannot
 * reach the repository (a clone under /root), compose.yaml becomes a Unix socket instead: open(2)
 * fails on it even for root (ENXIO), in both tools.
 */
function makeUnreadable(c: Case, tmp: string): Case {
  const dir = path.join(tmp, c.name);
  cpSync(c.dir, dir, {recursive: true});
  chmodSync(dir, 0o755);
  const file = path.join(dir, 'compose.yaml');
  if (process.getuid?.() !== 0) {
    chmodSync(file, 0o000);
    return {...c, dir};
  }
  if (!othersCanReach(root) || !othersCanReach(path.dirname(process.execPath))) {
    rmSync(file);
    sockets.push(net.createServer().listen(file));
    return {...c, dir, expect: {...c.expect, messageIncludes: 'not a regular file'}};
  }
  chmodSync(file, 0o000);
  const plugin = privateComposePlugin();
  let dockerConfig: string | undefined;
  if (plugin) {
    dockerConfig = path.join(tmp, 'docker-config');
    mkdirSync(path.join(dockerConfig, 'cli-plugins'), {recursive: true});
    const dest = path.join(dockerConfig, 'cli-plugins/docker-compose');
    try {
      linkSync(plugin, dest);
    } catch {
      copyFileSync(plugin, dest);
      chmodSync(dest, 0o755);
    }
  }
  return {...c, dir, uid: NOBODY, dockerConfig};
}

function runAsync(cmd: string, args: string[], c: Case, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {cwd: c.dir, env, timeout: 60_000, ...(c.uid !== undefined ? {uid: c.uid, gid: c.uid} : {})});
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => resolve({status: null, stdout, stderr: stderr + String(e)}));
    child.on('close', (status) => resolve({status, stdout, stderr}));
  });
}

/** The installed entry point, run through its shebang exactly as users run `hardcompose`. */
function runHardcompose(c: Case): Promise<Run> {
  return runAsync(BIN, ['config', '--format', 'json', ...composeFlags(c.args)], c, caseEnv(c.args));
}

function runReferee(c: Case): Promise<Run> {
  const env = {...caseEnv(c.args), ...(c.dockerConfig ? {DOCKER_CONFIG: c.dockerConfig} : {})};
  if (c.uid === undefined) return runComposeAsync(composeFlags(c.args), ['config', '--format', 'json'], c.dir, env);
  return runAsync('docker', ['compose', ...composeFlags(c.args), 'config', '--format', 'json'], c, env);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hardcompose-bad-'));
chmodSync(tmp, 0o755);
const cases = readCases().map((c) => (c.name === 'unreadable-file' ? makeUnreadable(c, tmp) : c));
const composeEnabled = requireCompose('compose-bad-input');
const ours = pool(cases.map((c) => () => runHardcompose(c)));
const referee = pool(cases.map((c) => () => (composeEnabled && !c.expect.composeNotRun ? runReferee(c) : Promise.resolve(undefined))));

test.after(() => {
  for (const s of sockets) s.close();
  rmSync(tmp, {recursive: true, force: true});
});

test('the bad-input corpus has at least 20 cases, each with an expect.json', () => {
  assert.ok(cases.length >= 20, `found ${cases.length} cases under ${BAD}`);
});

/** Checks one error report on stderr against the case's expectations. */
function checkReport(c: Case, r: Run): void {
  const e = c.expect;
  const err = r.stderr;
  const show = `\n--- stderr of ${c.name} ---\n${err}---`;
  assert.is(r.status, 2, `exit code 2 for bad input, got ${r.status}${show}`);
  assert.ok(err.includes(`error[${e.code}]`), `error code ${e.code}${show}`);
  const where = /^ {2}--> (.*)$/m.exec(err)?.[1] ?? '';
  if (e.file !== null) assert.ok(where.split(' ')[0].split(':')[0] === e.file, `the --> line names ${e.file}${show}`);
  if (e.line !== undefined) assert.ok(where.startsWith(`${e.file}:${e.line}`), `the --> line gives ${e.file}:${e.line}${show}`);
  if (e.path !== undefined) assert.ok(where.split(' ').includes(e.path), `the --> line gives the compose path ${e.path}${show}`);
  if (e.messageIncludes !== undefined) assert.ok(err.includes(e.messageIncludes), `the message says ${JSON.stringify(e.messageIncludes)}${show}`);
  assert.match(err, /^ {2}hint: \S/m, `a hint: line${show}`);
  assert.not.match(err, /^ {4}at /m, `no stack trace${show}`);
  assert.not.match(err, /internal error/i, `no internal error${show}`);
  assert.is(r.stdout, '', `nothing on stdout${show}`);
}

/** loadProject itself throws the same UserError, in time. */
function checkInProcess(c: Case): void {
  if (c.uid !== undefined) return; // the unreadable file is readable to this (root) process
  const cpu = process.cpuUsage();
  const heap = process.memoryUsage().heapUsed;
  let thrown: unknown;
  try {
    loadProject({files: c.args.files ?? [], cwd: c.dir, env: caseEnv(c.args), projectName: c.args.projectName, projectDirectory: c.args.projectDirectory, envFiles: c.args.envFiles ?? [], profiles: c.args.profiles ?? []});
  } catch (e) {
    thrown = e;
  }
  const used = process.cpuUsage(cpu);
  const ms = (used.user + used.system) / 1000;
  const grewMB = (process.memoryUsage().heapUsed - heap) / 2 ** 20;
  assert.instance(thrown, UserError, `loadProject throws a UserError for ${c.name}`);
  assert.is((thrown as UserError).code, c.expect.code);
  if (c.expect.maxMs !== undefined) {
    assert.ok(ms < c.expect.maxMs, `${c.name} fails within ${c.expect.maxMs} ms of CPU, took ${ms.toFixed(0)} ms`);
    assert.ok(grewMB < 256, `${c.name} fails without eating memory, the heap grew ${grewMB.toFixed(0)} MB`);
  }
}

cases.forEach((c, i) => {
  test(`bad/${c.name}: hardcompose config refuses it with a located message`, async () => {
    checkReport(c, await ours[i]);
    checkInProcess(c);
  });
  test(`bad/${c.name}: docker compose ${c.expect.composeNotRun ? 'is not asked' : c.expect.composeRejects ? 'refuses it too' : 'accepts it (hardcompose is stricter on purpose)'}`, async () => {
    const r = await referee[i];
    if (!r) {
      if (c.expect.composeNotRun) assert.ok(c.expect.composeNotRun.length > 0, 'composeNotRun says why');
      return;
    }
    if (c.expect.composeRejects) assert.ok(r.status !== 0, `docker compose accepted ${c.name}:\n${r.stdout.slice(0, 400)}`);
    else {
      assert.is(r.status, 0, `docker compose refused ${c.name} (${r.stderr.trim()}): set composeRejects to true`);
      assert.ok(!!c.expect.note, `${c.name}: a case where hardcompose is stricter than Compose needs a note saying why`);
    }
  });
});

test.run();
