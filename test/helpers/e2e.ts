/**
 * End-to-end tests against the real Docker engine that `npm test` starts (scripts/dockerd.sh):
 * a project folder per test with a unique name, free host ports, the CLI run as a child process,
 * and clean-up that removes whatever the test started.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {randomBytes} from 'node:crypto';
import {repoRoot} from './compose-real.js';
import {requireTools} from './tools.js';

export const IMAGE = 'hardcompose-test/busybox:latest';
export const CLI = () => path.join(repoRoot(), 'bin/run.js');
/**
 * argv that runs the CLI with this node. `--` ends node's own options: Node 20 otherwise takes
 * `--env-file` anywhere on the command line as its own flag.
 */
export const CLI_ARGV = () => [process.execPath, '--', CLI()];

let engineState: 'ok' | string | undefined;

/**
 * True when a Docker engine answers, Compose v2 runs and the test image exists. Missing any of
 * them fails the test under CI=true (the test command starts the engine) and is a SKIP elsewhere.
 */
export function requireEngine(testName: string): boolean {
  if (!requireTools(testName, 'docker')) return false;
  if (engineState === undefined) {
    const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {encoding: 'utf8', timeout: 30_000});
    const compose = spawnSync('docker', ['compose', 'version', '--short'], {encoding: 'utf8', timeout: 30_000});
    const image = spawnSync('docker', ['image', 'inspect', IMAGE], {encoding: 'utf8', timeout: 30_000});
    if (info.status !== 0) engineState = `a Docker engine (docker info failed: ${(info.stderr || '').trim().split('\n')[0]}; npm test starts one with scripts/dockerd.sh)`;
    else if (compose.status !== 0) engineState = 'the docker compose v2 plugin';
    else if (image.status !== 0) engineState = `the image ${IMAGE} (scripts/dockerd.sh start imports it)`;
    else engineState = 'ok';
  }
  if (engineState === 'ok') return true;
  const msg = `${testName}: needs ${engineState}`;
  if (process.env.CI === 'true') throw new Error(`${msg} (missing under CI=true: the test command should have provided it)`);
  console.log(`  SKIP ${msg}`);
  return false;
}

/** The host kernel runs AppArmor (then `up` is not refused, and the refusal tests do not apply). */
export function hostHasAppArmor(): boolean {
  try {
    return readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Project {
  dir: string;
  /** The Compose project name: the folder's name. */
  name: string;
}

/**
 * A copy of test/fixtures/e2e/<fixture> in a fresh folder named `hce2e<hex>` (so the project
 * name is unique), with `@KEY@` placeholders in its files replaced by `vars`.
 */
export function makeProject(fixture: string, vars: Record<string, string | number> = {}): Project {
  const name = `hce2e${randomBytes(5).toString('hex')}`;
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'hc-e2e-')), name);
  cpSync(path.join(repoRoot(), 'test/fixtures/e2e', fixture), dir, {recursive: true});
  for (const f of readdirSync(dir)) {
    const file = path.join(dir, f);
    if (!statSync(file).isFile()) continue;
    let text = readFileSync(file, 'utf8');
    for (const [k, v] of Object.entries(vars)) text = text.split(`@${k}@`).join(String(v));
    writeFileSync(file, text);
  }
  return {dir, name};
}

/** The environment the CLI and Compose get: the test's, minus anything that would redirect Compose. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('COMPOSE_')) env[k] = v;
  return {...env, ...extra};
}

export interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `hardcompose ARGS…` in `cwd`, to completion. */
export function hc(args: string[], cwd: string, opts: {env?: Record<string, string>; timeoutMs?: number; input?: string} = {}): Result {
  const t0 = Date.now();
  const [node, ...pre] = CLI_ARGV();
  const r = spawnSync(node, [...pre, ...args], {cwd, env: opts.env ?? cleanEnv(), encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, input: opts.input ?? ''});
  return {status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - t0};
}

export function docker(args: string[], opts: {cwd?: string; timeoutMs?: number} = {}): Result {
  const t0 = Date.now();
  const r = spawnSync('docker', args, {cwd: opts.cwd, env: cleanEnv(), encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000});
  return {status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - t0};
}

/** IDs of the project's containers (all states, or only running ones). */
export function containers(project: string, running = false): string[] {
  const args = ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`];
  if (!running) args.splice(1, 0, '-a');
  return docker(args).stdout.split('\n').filter(Boolean);
}

export function networks(project: string): string[] {
  return docker(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]).stdout.split('\n').filter(Boolean);
}

/** Removes everything of the project, whatever state the test left it in. */
export function cleanup(p: Project): void {
  docker(['compose', '-p', p.name, 'down', '-v', '--remove-orphans', '-t', '1'], {cwd: p.dir});
  const left = containers(p.name);
  if (left.length) docker(['rm', '-f', '-v', ...left]);
  const nets = networks(p.name);
  if (nets.length) docker(['network', 'rm', ...nets]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(check: () => boolean, timeoutMs = 60_000, everyMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(everyMs);
  }
  return check();
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
}

/** Starts a command in the background with piped output (no terminal). */
export function start(argv: string[], cwd: string, env: Record<string, string> = cleanEnv()): Running {
  const child = spawn(argv[0], argv.slice(1), {cwd, env, stdio: ['ignore', 'pipe', 'pipe']});
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('exit', (code, signal) => resolve({code, signal})));
  return {child, output: () => out, exited};
}

/** GET http://127.0.0.1:PORT/PATH; resolves with status and body, or rejects. */
export async function httpGet(port: number, urlPath = '/'): Promise<{status: number; body: string}> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, {signal: AbortSignal.timeout(5000)});
  return {status: res.status, body: await res.text()};
}
