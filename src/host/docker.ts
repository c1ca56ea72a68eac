/**
 * The one module that spawns Docker: finding Compose v2, asking the engine what it runs
 * (`docker info`), and running `docker compose …` in the foreground. Every spawn gets an
 * argument array, never a shell.
 *
 * Running Compose (`runForeground`): stdio is inherited (colours, prompts, TTY detection work as
 * if the user had typed `docker compose`), the child's exit code is returned (128 + signal number
 * when a signal killed it), and SIGINT/SIGTERM/SIGHUP/SIGQUIT are caught while the child runs so
 * that hardcompose outlives it and can return its code. A caught signal is forwarded to the child
 * unless the terminal already delivered it: Ctrl-C in a terminal signals the whole foreground
 * process group, child included, and a second SIGINT would make Compose stop forcibly
 * ("press Ctrl+C again to force"). The test is Linux's /proc/self/stat: the process has a
 * controlling terminal whose foreground process group is ours. SIGTERM is always forwarded
 * (terminals do not send it).
 *
 * Finding Compose, once per process (docker/cli cli-plugins/manager): the docker CLI looks for
 * `docker-compose` in $DOCKER_CONFIG/cli-plugins (default ~/.docker/cli-plugins), the config's
 * `cliPluginsExtraDirs`, then /usr/local/lib, /usr/local/libexec, /usr/lib and /usr/libexec
 * under docker/cli-plugins. A plugin file found there means `docker compose` (no spawn on this
 * path, which every `up` takes); otherwise `docker compose version` is asked, and last a
 * standalone `docker-compose` binary is accepted when it reports version 2 or later.
 */
import {spawn, spawnSync} from 'node:child_process';
import {accessSync, constants as fsConstants, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ComposeCommand {
  /** argv prefix: `['docker', 'compose']` or `['/path/docker-compose']`. */
  argv: string[];
  how: 'plugin' | 'standalone';
  /** The plugin or binary file, when known. */
  path?: string;
}

export type ComposeLookup = {found: true; compose: ComposeCommand} | {found: false; tried: string[]; why: string};

type Env = Record<string, string | undefined>;

const SYSTEM_PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

function executable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, or undefined. */
export function which(name: string, env: Env = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return undefined;
}

function dockerConfigDir(env: Env): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
}

/** Plugin folders in the docker CLI's search order. */
export function pluginDirs(env: Env = process.env): string[] {
  const config = dockerConfigDir(env);
  let extra: string[] = [];
  try {
    const parsed = JSON.parse(readFileSync(path.join(config, 'config.json'), 'utf8')) as {cliPluginsExtraDirs?: unknown};
    if (Array.isArray(parsed.cliPluginsExtraDirs)) extra = parsed.cliPluginsExtraDirs.filter((d): d is string => typeof d === 'string');
  } catch {
    // no config.json, or not JSON: the CLI then uses its defaults too
  }
  return [path.join(config, 'cli-plugins'), ...extra, ...SYSTEM_PLUGIN_DIRS];
}

const lookups = new Map<string, ComposeLookup>();

/** How to run Compose v2 here; decided once per process and environment. */
export function findCompose(env: Env = process.env): ComposeLookup {
  const key = `${env.PATH}\0${env.DOCKER_CONFIG}\0${env.HOME}`;
  let hit = lookups.get(key);
  if (!hit) {
    hit = lookupCompose(env);
    lookups.set(key, hit);
  }
  return hit;
}

function lookupCompose(env: Env): ComposeLookup {
  const tried: string[] = [];
  const docker = which('docker', env);
  if (docker) {
    for (const dir of pluginDirs(env)) {
      const file = path.join(dir, 'docker-compose');
      tried.push(file);
      if (executable(file)) return {found: true, compose: {argv: [docker, 'compose'], how: 'plugin', path: file}};
    }
    // A plugin folder we do not know about: ask the CLI itself.
    const r = spawnSync(docker, ['compose', 'version', '--short'], {encoding: 'utf8', env: {...env}, timeout: 30_000});
    tried.push(`${docker} compose version`);
    if (r.status === 0 && majorVersion(r.stdout) >= 2) return {found: true, compose: {argv: [docker, 'compose'], how: 'plugin'}};
  } else {
    tried.push('docker on PATH');
  }
  const standalone = which('docker-compose', env);
  if (standalone) {
    tried.push(`${standalone} version --short`);
    const r = spawnSync(standalone, ['version', '--short'], {encoding: 'utf8', env: {...env}, timeout: 30_000});
    const version = (r.stdout ?? '').trim();
    if (r.status === 0 && majorVersion(version) >= 2) return {found: true, compose: {argv: [standalone], how: 'standalone', path: standalone}};
    if (r.status === 0) {
      return {found: false, tried, why: `${standalone} is Compose ${version || 'of an unknown version'}; hardcompose needs Compose v2 (v1 reads files differently)`};
    }
  } else {
    tried.push('docker-compose on PATH');
  }
  return {found: false, tried, why: docker ? 'the docker CLI has no compose plugin and there is no docker-compose v2 on PATH' : 'neither docker nor docker-compose is on PATH'};
}

function majorVersion(text: string): number {
  const m = /v?(\d+)\.\d+/.exec(text.trim());
  return m ? Number(m[1]) : 0;
}

export interface ComposeVersion {
  ok: boolean;
  version?: string;
  error?: string;
}

/** `<compose> version --short`, for doctor. */
export function composeVersion(compose: ComposeCommand, env: Env = process.env): ComposeVersion {
  const [cmd, ...pre] = compose.argv;
  const r = spawnSync(cmd, [...pre, 'version', '--short'], {encoding: 'utf8', env: {...env}, timeout: 30_000});
  if (r.status === 0) return {ok: true, version: r.stdout.trim()};
  return {ok: false, error: firstLine(r.stderr) || r.error?.message || `exit ${r.status}`};
}

export interface EngineInfo {
  ok: boolean;
  /** `docker info` Security Options, e.g. `name=seccomp,profile=default`, `name=apparmor`. */
  securityOptions: string[];
  serverVersion?: string;
  clientVersion?: string;
  /** Why the engine could not be asked (docker missing, daemon down). */
  error?: string;
}

function parseInfo(status: number | null, stdout: string, stderr: string, error?: Error): EngineInfo {
  if (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {ok: false, securityOptions: [], error: code === 'ENOENT' ? 'docker not found on PATH' : error.message};
  }
  try {
    const info = JSON.parse(stdout) as {SecurityOptions?: unknown; ServerVersion?: unknown; ClientInfo?: {Version?: unknown}; ServerErrors?: unknown};
    const serverErrors = Array.isArray(info.ServerErrors) ? info.ServerErrors.map(String) : [];
    const base = {
      securityOptions: Array.isArray(info.SecurityOptions) ? info.SecurityOptions.map(String) : [],
      serverVersion: typeof info.ServerVersion === 'string' && info.ServerVersion ? info.ServerVersion : undefined,
      clientVersion: typeof info.ClientInfo?.Version === 'string' ? info.ClientInfo.Version : undefined,
    };
    if (status === 0 && serverErrors.length === 0 && base.serverVersion) return {ok: true, ...base};
    return {ok: false, ...base, error: serverErrors[0] ?? (firstLine(stderr) || `docker info exited with ${status}`)};
  } catch {
    return {ok: false, securityOptions: [], error: firstLine(stderr) || firstLine(stdout) || `docker info exited with ${status}`};
  }
}

const INFO_FORMAT = '{{json .}}';

/** `docker info`, synchronously. */
export function engineInfo(env: Env = process.env): EngineInfo {
  const docker = which('docker', env);
  if (!docker) return {ok: false, securityOptions: [], error: 'docker not found on PATH'};
  const r = spawnSync(docker, ['info', '--format', INFO_FORMAT], {encoding: 'utf8', env: {...env}, timeout: 30_000});
  return parseInfo(r.status, r.stdout ?? '', r.stderr ?? '', r.error);
}

/**
 * `docker info`, started now and awaited later: `up` asks it while it regenerates the
 * outputs, so the engine's answer costs no wall time on the path where nothing changed.
 */
export function engineInfoAsync(env: Env = process.env): Promise<EngineInfo> {
  const docker = which('docker', env);
  if (!docker) return Promise.resolve({ok: false, securityOptions: [], error: 'docker not found on PATH'});
  return new Promise((resolve) => {
    const child = spawn(docker, ['info', '--format', INFO_FORMAT], {env: {...env}, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(parseInfo(null, out, err, e));
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve(parseInfo(status, out, err));
    });
  });
}

/** `docker --version`'s client version without asking the daemon (doctor, when the engine is down). */
export function dockerClientVersion(env: Env = process.env): string | undefined {
  const docker = which('docker', env);
  if (!docker) return undefined;
  const r = spawnSync(docker, ['--version'], {encoding: 'utf8', env: {...env}, timeout: 30_000});
  return /version ([^\s,]+)/.exec(r.stdout ?? '')?.[1];
}

function firstLine(s: string | undefined): string {
  return (s ?? '').trim().split('\n')[0]?.trim() ?? '';
}

/** Signals caught while a foreground child runs. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/**
 * True when a terminal-generated signal (Ctrl-C, Ctrl-\, hang-up) would already have reached
 * our process group: we have a controlling terminal and our group is its foreground group.
 * proc(5) /proc/[pid]/stat: after the `(comm)` field come state, ppid, pgrp, session, tty_nr, tpgid.
 */
export function terminalSignalsReachChild(statText?: string): boolean {
  let text = statText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/stat', 'utf8');
    } catch {
      return false;
    }
  }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const pgrp = Number(rest[2]);
  const ttyNr = Number(rest[4]);
  const tpgid = Number(rest[5]);
  return ttyNr !== 0 && tpgid > 0 && tpgid === pgrp;
}

export interface ForegroundOptions {
  cwd: string;
  env?: Env;
}

/**
 * Runs `argv` with inherited stdio and returns its exit code (128 + signal number when killed by
 * a signal; 127 when it cannot be started). Signals are forwarded as described above.
 */
export function runForeground(argv: string[], opts: ForegroundOptions): Promise<number> {
  const [cmd, ...args] = argv;
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    const handlers = new Map<string, () => void>();
    const cleanup = () => {
      for (const [sig, h] of handlers) process.off(sig, h);
      handlers.clear();
    };
    try {
      child = spawn(cmd, args, {cwd: opts.cwd, env: opts.env ?? process.env, stdio: 'inherit'});
    } catch (e) {
      process.stderr.write(`hardcompose: cannot run ${cmd}: ${(e as Error).message}\n`);
      resolve(127);
      return;
    }
    for (const sig of FORWARDED) {
      const h = () => {
        if (sig !== 'SIGTERM' && terminalSignalsReachChild()) return;
        try {
          child.kill(sig);
        } catch {
          // the child is already gone
        }
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
    child.on('error', (e) => {
      cleanup();
      const code = (e as NodeJS.ErrnoException).code;
      process.stderr.write(`hardcompose: cannot run ${cmd}: ${code === 'ENOENT' ? 'not found' : e.message}\n`);
      resolve(code === 'ENOENT' ? 127 : 126);
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) resolve(128 + (os.constants.signals[signal] ?? 0));
      else resolve(code ?? 1);
    });
  });
}

export interface ComposeConfigRequest {
  /** Absolute compose files, in order; the overlay last. */
  files: string[];
  projectName: string;
  projectDirectory: string;
  envFiles: string[];
  profiles: string[];
  env: Record<string, string | undefined>;
  timeoutMs?: number;
}

export type ComposeConfigResult =
  | {status: 'ok'; model: Record<string, unknown>}
  | {status: 'failed'; message: string}
  | {status: 'missing'; message: string};

/**
 * `docker compose -f … -p NAME --project-directory DIR config --format json` (for `check`), with
 * Compose v2 found the way `up` finds it. It loads, merges, interpolates and validates the
 * project; it contacts no registry and needs no running engine (checked with Compose v2.26).
 */
export async function composeConfig(req: ComposeConfigRequest): Promise<ComposeConfigResult> {
  const found = findCompose(req.env);
  if (!found.found) return {status: 'missing', message: found.why};
  const [cmd, ...pre] = found.compose.argv;
  const args = [...pre, ...req.files.flatMap((f) => ['-f', f]), '-p', req.projectName, '--project-directory', req.projectDirectory];
  for (const e of req.envFiles) args.push('--env-file', e);
  for (const p of req.profiles) args.push('--profile', p);
  args.push('config', '--format', 'json');
  const r = spawnSync(cmd!, args, {
    cwd: req.projectDirectory,
    env: req.env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: req.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const stderr = (r.stderr ?? '').trim();
  if (r.error) return {status: 'failed', message: r.error.message};
  if (r.status !== 0) {
    if (/is not a docker command|unknown command "?compose|unknown shorthand flag: 'f'|unknown flag: --project-directory/.test(stderr)) {
      return {status: 'missing', message: 'the docker compose v2 plugin is not installed'};
    }
    return {status: 'failed', message: stderr || `docker compose exited with ${r.status}`};
  }
  try {
    return {status: 'ok', model: JSON.parse(r.stdout) as Record<string, unknown>};
  } catch {
    return {status: 'failed', message: 'docker compose config printed something other than JSON'};
  }
}
