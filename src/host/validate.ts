/**
 * The outside referees `hardcompose check` consults: finding a tool without running it, and a
 * secilc link of the generated SELinux modules with the host's policy (`docker compose config`
 * is in docker.ts). Argument arrays, never a shell.
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

// `docker compose config` lives in src/host/docker.ts, the one module that spawns Docker.
export {composeConfig, type ComposeConfigRequest, type ComposeConfigResult} from './docker.js';

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
