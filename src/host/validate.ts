/**
 * The outside referees `hardcompose check` consults: finding a tool without running it,
 * `docker compose config` over the user's files plus the overlay, and a secilc link of the
 * generated SELinux modules with the host's policy. Argument arrays, never a shell.
 *
 * `docker compose … config --format json` loads, merges, interpolates and validates the project
 * and prints the result; it contacts no registry and needs no running engine (checked with
 * Compose v2.26).
 */
import {spawnSync} from 'node:child_process';
import {accessSync, constants, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The absolute path of an executable found on PATH, then in /usr/sbin and /sbin (where Debian
 * puts apparmor_parser, and which a non-root PATH often lacks); undefined when there is none.
 */
export function findExecutable(name: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
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
 * `docker compose -f … -p NAME --project-directory DIR config --format json`, with Compose v2
 * found the way `up` finds it (src/host/docker.ts: the plugin, else a standalone v2 binary).
 */
export async function composeConfig(req: ComposeConfigRequest): Promise<ComposeConfigResult> {
  const {findCompose} = await import('./docker.js');
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

export interface SelinuxLinkRequest {
  /** Generated CIL files (base and modules), absolute. */
  files: string[];
  /** Policy root, as `semodule -p ROOT`: ROOT/etc/selinux/config and ROOT/var/lib/selinux. Default `/`. */
  root?: string;
  env?: Record<string, string | undefined>;
}

export type SelinuxLinkResult =
  | {status: 'ok'; storeDir: string; modules: number}
  | {status: 'failed'; storeDir: string; message: string}
  | {status: 'missing'; message: string};

/** SELINUXTYPE from ROOT/etc/selinux/config (selinux_config(5)); undefined when unreadable. */
export function selinuxStoreName(root = '/'): string | undefined {
  try {
    const cfg = readFileSync(path.join(root, 'etc/selinux/config'), 'utf8');
    return /^\s*SELINUXTYPE\s*=\s*(\S+)/m.exec(cfg)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Links generated CIL with every enabled module of a policy store in one secilc run, as
 * `semodule -i` would, without touching the store: the store's modules are extracted to a
 * temporary folder removed afterwards. The generated modules name container types
 * (container_file_t, container_domain…): a store without the `container` module is reported
 * as missing rather than failing for that reason.
 */
export async function linkSelinuxModules(req: SelinuxLinkRequest): Promise<SelinuxLinkResult> {
  const secilc = findExecutable('secilc', req.env);
  if (!secilc) return {status: 'missing', message: 'secilc not found (Debian: apt-get install secilc)'};
  const root = req.root ?? '/';
  const name = selinuxStoreName(root);
  if (!name) return {status: 'missing', message: `no SELinux policy configured (${path.join(root, 'etc/selinux/config')})`};
  const storeDir = path.join(root, 'var/lib/selinux', name);
  const {storeModules, extractStoreCil, runSecilc} = await import('./selinux.js');
  let modules: Map<string, string>;
  try {
    modules = storeModules(storeDir);
  } catch {
    return {status: 'missing', message: `no SELinux policy store at ${storeDir}`};
  }
  if (!modules.has('container')) {
    return {
      status: 'missing',
      message: `the policy at ${storeDir} has no container module to link against (Fedora/RHEL: container-selinux; Debian: build container.pp from selinux-policy-src into a copy of the store and pass it with --selinux-root)`,
    };
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hardcompose-check-'));
  try {
    const storeFiles = extractStoreCil(storeDir, tmp);
    const r = runSecilc([...storeFiles, ...req.files], {secilc});
    if (r.ok) return {status: 'ok', storeDir, modules: storeFiles.length};
    return {status: 'failed', storeDir, message: r.message};
  } finally {
    rmSync(tmp, {recursive: true, force: true});
  }
}
