/**
 * The real `docker compose` as a referee for the loader tests: where to find the repository and
 * the shared corpus, how to run `docker compose … config --format json` with the same flags and
 * environment hardcompose gets, and a clean, fixed environment for both.
 */
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {requireTools} from './tools.js';

/** The repository root: the nearest folder above this file holding hardcompose's package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'hardcompose') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('repository root not found above the compiled test');
    dir = parent;
  }
}

/** `../shared/corpus/awesome-compose` next to the repository (CI clones shared/ beside it). */
export function corpusDir(): string {
  return path.resolve(repoRoot(), '../shared/corpus/awesome-compose');
}

/** The flags and environment of one case (`args.json` in a fixture folder). */
export interface CaseArgs {
  files?: string[];
  env?: Record<string, string>;
  profiles?: string[];
  projectName?: string;
  envFiles?: string[];
  projectDirectory?: string;
}

export function readCaseArgs(dir: string): CaseArgs {
  const f = path.join(dir, 'args.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as CaseArgs) : {};
}

/** Compose's global flags for a case, in the order `docker compose` documents them. */
export function composeFlags(a: CaseArgs): string[] {
  const out: string[] = [];
  for (const f of a.files ?? []) out.push('-f', f);
  if (a.projectName !== undefined) out.push('-p', a.projectName);
  if (a.projectDirectory !== undefined) out.push('--project-directory', a.projectDirectory);
  for (const e of a.envFiles ?? []) out.push('--env-file', e);
  for (const p of a.profiles ?? []) out.push('--profile', p);
  return out;
}

/** A fixed HOME so `~` in bind sources resolves the same for both sides on every machine. */
export const FIXED_HOME = path.join(os.tmpdir(), 'hardcompose-test-home');

/**
 * The whole environment both sides see: PATH, the fixed HOME, and the case's variables, and
 * nothing else from the developer's shell (a stray COMPOSE_FILE or COMPOSE_PROFILES would
 * change the answer). DOCKER_CONFIG keeps pointing at the real config folder so the docker
 * CLI still finds the compose plugin installed under ~/.docker/cli-plugins.
 */
export function caseEnv(a: CaseArgs): Record<string, string> {
  mkdirSync(FIXED_HOME, {recursive: true});
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: FIXED_HOME,
    DOCKER_CONFIG: process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'),
    ...(a.env ?? {}),
  };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `docker compose <flags> <args…>` in `cwd` with exactly `env`. */
export function runCompose(flags: string[], args: string[], cwd: string, env: Record<string, string>): Run {
  const r = spawnSync('docker', ['compose', ...flags, ...args], {cwd, env, encoding: 'utf8', timeout: 60_000});
  return {status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? ''};
}

let composeWorks: boolean | undefined;

/**
 * True when `docker compose version` runs. Missing compose fails under CI=true (through
 * requireTools for the docker CLI, and here for the plugin) and is a plain SKIP elsewhere.
 */
export function requireCompose(testName: string): boolean {
  if (!requireTools(testName, 'docker')) return false;
  if (composeWorks === undefined) {
    const r = runCompose([], ['version'], os.tmpdir(), caseEnv({}));
    composeWorks = r.status === 0 && /Docker Compose version/i.test(r.stdout);
  }
  if (composeWorks) return true;
  const msg = `${testName}: needs the docker compose v2 plugin (\`docker compose version\` failed)`;
  if (process.env.CI === 'true') throw new Error(`${msg} (missing under CI=true: the test command should have installed it)`);
  console.log(`  SKIP ${msg}`);
  return false;
}

/** `runCompose` without blocking, so many cases can ask the referee at once. */
export function runComposeAsync(flags: string[], args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['compose', ...flags, ...args], {cwd, env, timeout: 60_000});
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => resolve({status: null, stdout, stderr: stderr + String(e)}));
    child.on('close', (status) => resolve({status, stdout, stderr}));
  });
}

/**
 * Runs `jobs` with at most `limit` in flight and returns their promises in order, started
 * now; a test awaits its own.
 */
export function pool<T>(jobs: Array<() => Promise<T>>, limit = Math.max(2, os.cpus().length * 2)): Array<Promise<T>> {
  const results: Array<Promise<T>> = [];
  let running = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    running--;
    queue.shift()?.();
  };
  for (const job of jobs) {
    results.push(
      new Promise<T>((resolve, reject) => {
        const start = () => {
          running++;
          job().then(resolve, reject).finally(next);
        };
        if (running < limit) start();
        else queue.push(start);
      }),
    );
  }
  return results;
}
