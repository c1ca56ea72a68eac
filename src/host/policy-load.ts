/**
 * Loading generated policies into the kernel, and the kernel facts that say whether they would
 * apply. Reads /sys, runs apparmor_parser and semodule; arguments as arrays, never a shell.
 *
 * AppArmor (apparmor(7), apparmor_parser(8)):
 * - the kernel has AppArmor when /sys/module/apparmor/parameters/enabled exists, and it is on
 *   when that reads `Y`; /sys/kernel/security/apparmor exists once securityfs is mounted and
 *   AppArmor initialised; `profiles` there lists `name (mode)` per loaded profile (world-readable);
 * - `apparmor_parser -r -W FILE…` loads or replaces the profiles and writes the compiled cache,
 *   so the next run skips compilation; `-R FILE…` removes the profiles the files define. Root only.
 * SELinux (semodule(8)): `semodule -i A.cil B.cil` installs several modules in one transaction,
 * each named after its file; `-l` lists installed modules; `-r NAME…` removes them. Root only.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import os from 'node:os';
import {selinuxEnabled, selinuxEnforcing} from './lsm.js';

export const APPARMOR_ENABLED_PARAM = '/sys/module/apparmor/parameters/enabled';
export const APPARMOR_FS = '/sys/kernel/security/apparmor';
export const APPARMOR_PROFILES = '/sys/kernel/security/apparmor/profiles';
export const KERNEL_LSM = '/sys/kernel/security/lsm';

export interface AppArmorKernel {
  /** Contents of the module parameter: `Y`, `N`, or missing (no AppArmor in the kernel). */
  param: 'Y' | 'N' | 'missing' | 'unreadable';
  securityfs: boolean;
}

export function apparmorKernel(): AppArmorKernel {
  let param: AppArmorKernel['param'];
  try {
    const v = readFileSync(APPARMOR_ENABLED_PARAM, 'utf8').trim();
    param = v === 'Y' ? 'Y' : 'N';
  } catch (e) {
    param = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  return {param, securityfs: existsSync(APPARMOR_FS)};
}

export interface SelinuxKernel {
  enabled: boolean;
  enforcing: boolean;
}

export function selinuxKernel(): SelinuxKernel {
  const enabled = selinuxEnabled();
  return {enabled, enforcing: enabled && selinuxEnforcing()};
}

/** The kernel's active LSMs in order, or null when securityfs does not show them. */
export function kernelLsms(): string[] | null {
  try {
    return readFileSync(KERNEL_LSM, 'utf8').trim().split(',').filter(Boolean);
  } catch {
    return null;
  }
}

/** Names of loaded AppArmor profiles, or null when the list cannot be read. */
export function loadedAppArmorProfiles(): Set<string> | null {
  try {
    const text = readFileSync(APPARMOR_PROFILES, 'utf8');
    // "name (mode)"; a name may contain spaces only in exotic cases, the mode is the last field
    return new Set(text.split('\n').filter(Boolean).map((l) => l.replace(/ \([a-z]+\)$/, '')));
  } catch {
    return null;
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export interface ToolRun {
  ok: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeoutMs = 300_000): ToolRun {
  const r = spawnSync(cmd, args, {encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: {...process.env, LC_ALL: 'C'}});
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return {ok: false, status: null, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${code === 'ENOENT' ? `${cmd} not found` : r.error.message}\n`};
  }
  return {ok: r.status === 0, status: r.status, stdout: r.stdout, stderr: r.stderr};
}

export const APPARMOR_PARSER = 'apparmor_parser';
export const SEMODULE = 'semodule';

/** `apparmor_parser -r -W -- FILE…`: the argv, for running and for printing with sudo. */
export function apparmorLoadArgv(files: string[]): string[] {
  return [APPARMOR_PARSER, '-r', '-W', '--', ...files];
}

export function apparmorUnloadArgv(files: string[]): string[] {
  return [APPARMOR_PARSER, '-R', '--', ...files];
}

export function semoduleInstallArgv(files: string[]): string[] {
  return [SEMODULE, '-i', ...files];
}

export function semoduleRemoveArgv(names: string[]): string[] {
  return [SEMODULE, '-r', ...names];
}

/** Runs one of the argv built above. */
export function runTool(argv: string[]): ToolRun {
  const [cmd, ...args] = argv;
  return run(cmd, args);
}

/** Installed SELinux module names (`semodule -l`), or null when semodule cannot tell. */
export function installedSelinuxModules(): Set<string> | null {
  const r = run(SEMODULE, ['-l'], 120_000);
  if (!r.ok) return null;
  return new Set(r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean));
}

/** `apparmor_parser --version`'s first line, or undefined when it is not installed. */
export function apparmorParserVersion(): string | undefined {
  const r = run(APPARMOR_PARSER, ['--version'], 30_000);
  return r.ok ? /version\s+(\S+)/i.exec(r.stdout)?.[1] ?? r.stdout.split('\n')[0] : undefined;
}

export function haveSemodule(): boolean {
  return run(SEMODULE, ['--help'], 30_000).status !== null;
}

export function kernelRelease(): string {
  return os.release();
}
