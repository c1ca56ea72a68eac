/**
 * Making the outputs current and putting the policies into the kernel: shared by `up` (and the
 * other commands that start containers) and by `hardcompose load` / `unload`.
 *
 * - `ensureCurrent`: regenerate in memory, compare with the output folder, write only what
 *   differs (the hand-edit refusal of writeArtifacts applies), or with `frozen` fail when
 *   anything differs, as CI would.
 * - loading: AppArmor profiles with `apparmor_parser -r -W` (then confirmed in
 *   /sys/kernel/security/apparmor/profiles), SELinux modules with `semodule -i`. Root only: a
 *   user who is not root gets the exact command to run with sudo.
 */
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {ExitError, UserError} from '../errors.js';
import type {Artifact, Backend} from '../plan/types.js';
import type {BuildResult, GenerateOptions} from './generate.js';
import {LOCK_PATH, parseLock} from '../render/lock.js';

export interface EnsureResult {
  built: BuildResult;
  /**
   * How the backend was chosen; `lock` when neither --backend nor x-hardcompose.backend chose it
   * and the existing outputs were made for the other backend than this host would pick (as
   * `diff` and `check` do: host detection differs between machines, the committed lock does not).
   */
  backendFrom: BuildResult['backendFrom'] | 'lock';
  written: string[];
  removed: string[];
  /** Settings the previous outputs were generated with that this run changed (e.g. level strict → baseline). */
  settingsChanged: Array<{setting: 'backend' | 'level' | 'mode'; from: string; to: string}>;
}

/**
 * buildArtifacts, except that when the host would choose the backend (no --backend, no
 * x-hardcompose.backend) and the existing lock records the other one, the lock's is kept, as
 * `diff` and `check` do. Shared by up, load and doctor.
 */
export async function buildForHost(gen: GenerateOptions): Promise<{built: BuildResult; backendFrom: EnsureResult['backendFrom']; before: ReturnType<typeof readLock>}> {
  const {buildArtifacts} = await import('./generate.js');
  const built = await buildArtifacts(gen);
  const before = readLock(built.outDir);
  if (built.backendFrom === 'host' && (before?.backend === 'apparmor' || before?.backend === 'selinux') && before.backend !== built.plan.backend) {
    return {built: await buildArtifacts({...gen, backend: before.backend}), backendFrom: 'lock', before};
  }
  return {built, backendFrom: built.backendFrom, before};
}

/** Regenerates in memory; writes only when the folder differs; `frozen` refuses instead. */
export async function ensureCurrent(gen: GenerateOptions, opts: {frozen: boolean}): Promise<EnsureResult> {
  const {built, backendFrom, before} = await buildForHost(gen);
  const {compareWithDisk} = await import('../output/write.js');
  const cmp = compareWithDisk(built.outDir, built.artifacts);
  if (cmp.changed.length === 0 && cmp.stale.length === 0) return {built, backendFrom, written: [], removed: [], settingsChanged: []};
  const rel = path.relative(process.cwd(), built.outDir) || '.';
  if (opts.frozen) {
    const lines = [
      ...cmp.changed.map((a) => `  ${existsSync(path.join(built.outDir, a.path)) ? 'would change' : 'would add   '}  ${path.join(rel, a.path)}`),
      ...cmp.stale.map((p) => `  would remove  ${path.join(rel, p)}`),
    ];
    throw new ExitError(
      1,
      `the generated outputs in ${rel}/ are stale (--frozen): ${lines.length} file(s) differ from what the compose files produce now:\n${lines.join('\n')}\nRun hardcompose generate (with the same --backend/--level/--mode), review the diff and commit it.`,
    );
  }
  const {writeArtifacts} = await import('../output/write.js');
  const res = await writeArtifacts(built.outDir, built.artifacts, {force: false});
  const settingsChanged: EnsureResult['settingsChanged'] = [];
  if (before) {
    for (const setting of ['backend', 'level', 'mode'] as const) {
      if (before[setting] !== built.plan[setting]) settingsChanged.push({setting, from: before[setting], to: built.plan[setting]});
    }
  }
  return {built, backendFrom, written: res.written, removed: res.removed, settingsChanged};
}

function readLock(outDir: string) {
  try {
    return parseLock(readFileSync(path.join(outDir, LOCK_PATH), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The policies of one backend in an output folder. */
export interface PolicySet {
  backend: Backend;
  /** Absolute file paths, in load order (the shared SELinux base first). */
  files: string[];
  /** Profile or module names, one per file (AppArmor: the profile name equals the file name). */
  names: string[];
}

/** The shared SELinux base module (src/render/selinux/names.ts BASE_BLOCK). */
export const SELINUX_BASE_MODULE = 'hardcompose_base';

function policyName(backend: Backend, rel: string): string {
  const base = path.posix.basename(rel);
  return backend === 'selinux' ? base.replace(/\.cil$/, '') : base;
}

function makeSet(backend: Backend, outDir: string, rels: string[]): PolicySet {
  const sorted = [...new Set(rels)].sort((a, b) => {
    const ba = policyName(backend, a) === SELINUX_BASE_MODULE ? 0 : 1;
    const bb = policyName(backend, b) === SELINUX_BASE_MODULE ? 0 : 1;
    return ba - bb || (a < b ? -1 : a > b ? 1 : 0);
  });
  return {backend, files: sorted.map((r) => path.join(outDir, r)), names: sorted.map((r) => policyName(backend, r))};
}

/** The policies among freshly built artifacts. */
export function policySetFromArtifacts(backend: Backend, outDir: string, artifacts: Artifact[]): PolicySet {
  return makeSet(backend, outDir, artifacts.filter((a) => a.kind === backend).map((a) => a.path));
}

/** The policies of each backend found in an output folder (its lock, and the files present). */
export function policySetsOnDisk(outDir: string): PolicySet[] {
  const lock = readLock(outDir);
  const rels = new Set((lock?.outputs ?? []).map((o) => o.path));
  for (const dir of ['apparmor', 'selinux']) {
    try {
      for (const f of readdirSync(path.join(outDir, dir))) if (!f.startsWith('.')) rels.add(`${dir}/${f}`);
    } catch {
      // no such folder
    }
  }
  const present = [...rels].filter((r) => existsSync(path.join(outDir, r)));
  const sets: PolicySet[] = [];
  const aa = present.filter((r) => r.startsWith('apparmor/'));
  const se = present.filter((r) => r.startsWith('selinux/') && r.endsWith('.cil'));
  if (aa.length) sets.push(makeSet('apparmor', outDir, aa));
  if (se.length) sets.push(makeSet('selinux', outDir, se));
  return sets;
}

/** A command line as a user would paste it into a POSIX shell. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** What loading needs from src/host/policy-load.ts; tests pass a fake to reach every branch. */
export type PolicyHost = Pick<
  typeof import('../host/policy-load.js'),
  | 'isRoot'
  | 'apparmorKernel'
  | 'loadedAppArmorProfiles'
  | 'selinuxKernel'
  | 'installedSelinuxModules'
  | 'runTool'
  | 'apparmorLoadArgv'
  | 'apparmorUnloadArgv'
  | 'semoduleInstallArgv'
  | 'semoduleRemoveArgv'
>;

export interface LoadOutcome {
  backend: Backend;
  /** Names loaded (or reloaded) by this run. */
  loaded: string[];
  /** Names already in the kernel and left as they were. */
  kept: string[];
  /** The command that was run, when one was. */
  command?: string;
}

function notActive(backend: Backend, what: string, facts: {param?: string; selinuxEnabled?: boolean}): ExitError {
  if (backend === 'apparmor') {
    const why = facts.param === 'missing' ? '/sys/module/apparmor/parameters/enabled is missing: the kernel has no AppArmor' : facts.param === 'N' ? 'AppArmor is disabled in this kernel (/sys/module/apparmor/parameters/enabled is N)' : '/sys/kernel/security/apparmor is missing: securityfs is not mounted or AppArmor did not initialise';
    return new ExitError(1, `cannot ${what} AppArmor profiles: ${why}.\nBoot a kernel with apparmor=1 security=apparmor (and install the apparmor package), or use --backend selinux on an SELinux host.`);
  }
  return new ExitError(1, `cannot ${what} SELinux modules: SELinux is disabled in this kernel (/sys/fs/selinux/enforce is missing).\nEnable SELinux, or use --backend apparmor on an AppArmor host.`);
}

function needRoot(what: string, argv: string[], extra = ''): ExitError {
  return new ExitError(1, `${what} needs root, and hardcompose is not running as root. Run:\n  sudo ${shellQuote(argv)}\n${extra}`.trimEnd());
}

/**
 * Puts a policy set into the kernel. `mode`:
 * - `all`: load everything (`hardcompose load`);
 * - `needed`: as `up` does: root reloads everything (apparmor_parser's cache makes that cheap; a
 *   profile generated earlier but loaded before that is replaced) except SELinux modules, which
 *   are installed only when missing or `changed` (semodule rebuilds the whole policy); a user who
 *   is not root passes when every policy is already in the kernel and none changed in this run.
 */
export async function loadPolicySet(set: PolicySet, opts: {mode: 'all' | 'needed'; changed: ReadonlySet<string>}, fakeHost?: PolicyHost): Promise<LoadOutcome> {
  const host: PolicyHost = fakeHost ?? (await import('../host/policy-load.js'));
  if (set.files.length === 0) return {backend: set.backend, loaded: [], kept: []};
  const root = host.isRoot();
  if (set.backend === 'apparmor') {
    const k = host.apparmorKernel();
    if (k.param !== 'Y' || !k.securityfs) throw notActive('apparmor', 'load', {param: k.param});
    const present = host.loadedAppArmorProfiles() ?? new Set<string>();
    const stale = set.names.filter((n) => !present.has(n) || opts.changed.has(n));
    const argv = host.apparmorLoadArgv(set.files);
    if (!root) {
      if (opts.mode === 'needed' && stale.length === 0) return {backend: 'apparmor', loaded: [], kept: set.names};
      throw needRoot(`loading ${opts.mode === 'all' ? set.files.length : stale.length} AppArmor profile(s)`, argv, 'or: sudo hardcompose load (same flags)');
    }
    const r = host.runTool(argv);
    if (!r.ok) throw new ExitError(1, `${shellQuote(argv)} failed (exit ${r.status ?? 'none'}):\n${r.stderr.trim()}`);
    const after = host.loadedAppArmorProfiles() ?? new Set<string>();
    const missing = set.names.filter((n) => !after.has(n));
    if (missing.length) throw new ExitError(1, `apparmor_parser succeeded but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not listed in /sys/kernel/security/apparmor/profiles`);
    return {backend: 'apparmor', loaded: set.names, kept: [], command: shellQuote(argv)};
  }
  const k = host.selinuxKernel();
  if (!k.enabled) throw notActive('selinux', 'install', {selinuxEnabled: false});
  const installed = host.installedSelinuxModules() ?? new Set<string>();
  const stale = set.names.filter((n) => !installed.has(n) || opts.changed.has(n));
  const argv = host.semoduleInstallArgv(set.files);
  if (opts.mode === 'needed' && stale.length === 0) return {backend: 'selinux', loaded: [], kept: set.names};
  if (!root) throw needRoot(`installing ${set.files.length} SELinux module(s)`, argv, 'or: sudo hardcompose load (same flags)');
  const r = host.runTool(argv);
  if (!r.ok) throw new ExitError(1, `${shellQuote(argv)} failed (exit ${r.status ?? 'none'}):\n${r.stderr.trim()}`);
  const after = host.installedSelinuxModules() ?? new Set<string>();
  const missing = set.names.filter((n) => !after.has(n));
  if (missing.length) throw new ExitError(1, `semodule succeeded but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not listed by semodule -l`);
  return {backend: 'selinux', loaded: set.names, kept: [], command: shellQuote(argv)};
}

export interface LoadOptions {
  generate: GenerateOptions;
  frozen: boolean;
}

export interface LoadResult {
  ensured: EnsureResult;
  outcome: LoadOutcome;
}

/** `hardcompose load`: make the outputs current, then load every policy of the project. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  if (opts.generate.load.files.includes('-')) throw stdinRefused('load');
  const ensured = await ensureCurrent(opts.generate, {frozen: opts.frozen});
  const {built} = ensured;
  const set = policySetFromArtifacts(built.plan.backend, built.outDir, built.artifacts);
  const outcome = await loadPolicySet(set, {mode: 'all', changed: new Set()});
  return {ensured, outcome};
}

export interface UnloadResult {
  outDir: string;
  /** Per backend: names removed, names that were not loaded. */
  results: Array<{backend: Backend; removed: string[]; notLoaded: string[]; kept: string[]; command?: string; note?: string}>;
}

/**
 * `hardcompose unload`: remove from the kernel the policies in the output folder (as listed by its
 * lock and present on disk). Works from the folder alone, so it still works after the compose
 * files changed. Policies that are not loaded are skipped; a kernel without the backend has
 * nothing loaded (exit 0, with a note).
 */
export async function runUnload(opts: {location: {outDir: string}}, fakeHost?: PolicyHost): Promise<UnloadResult> {
  const host: PolicyHost = fakeHost ?? (await import('../host/policy-load.js'));
  const sets = policySetsOnDisk(opts.location.outDir);
  const results: UnloadResult['results'] = [];
  for (const set of sets) {
    if (set.backend === 'apparmor') {
      const k = host.apparmorKernel();
      if (k.param !== 'Y' || !k.securityfs) {
        results.push({backend: 'apparmor', removed: [], notLoaded: set.names, kept: [], note: k.param === 'missing' ? 'the kernel has no AppArmor: nothing is loaded' : 'AppArmor is not active: nothing is loaded'});
        continue;
      }
      const present = host.loadedAppArmorProfiles() ?? new Set<string>();
      const idx = set.names.map((n, i) => (present.has(n) ? i : -1)).filter((i) => i >= 0);
      const names = idx.map((i) => set.names[i]);
      const notLoaded = set.names.filter((n) => !present.has(n));
      if (!names.length) {
        results.push({backend: 'apparmor', removed: [], notLoaded, kept: []});
        continue;
      }
      const argv = host.apparmorUnloadArgv(idx.map((i) => set.files[i]));
      if (!host.isRoot()) throw needRoot(`removing ${names.length} AppArmor profile(s)`, argv, 'or: sudo hardcompose unload (same flags)');
      const r = host.runTool(argv);
      if (!r.ok) throw new ExitError(1, `${shellQuote(argv)} failed (exit ${r.status ?? 'none'}):\n${r.stderr.trim()}`);
      const after = host.loadedAppArmorProfiles() ?? new Set<string>();
      const left = names.filter((n) => after.has(n));
      if (left.length) throw new ExitError(1, `apparmor_parser -R succeeded but ${left.join(', ')} still listed in /sys/kernel/security/apparmor/profiles`);
      results.push({backend: 'apparmor', removed: names, notLoaded, kept: [], command: shellQuote(argv)});
    } else {
      const k = host.selinuxKernel();
      if (!k.enabled) {
        results.push({backend: 'selinux', removed: [], notLoaded: set.names, kept: [], note: 'SELinux is disabled: nothing is installed'});
        continue;
      }
      const installed = host.installedSelinuxModules() ?? new Set<string>();
      const ours = new Set(set.names);
      // The shared base goes only when no other hardcompose module still inherits from it.
      const others = [...installed].filter((m) => m.startsWith('hardcompose_') && m !== SELINUX_BASE_MODULE && !ours.has(m));
      const kept = others.length && installed.has(SELINUX_BASE_MODULE) ? [SELINUX_BASE_MODULE] : [];
      const names = set.names.filter((n) => installed.has(n) && !kept.includes(n));
      const notLoaded = set.names.filter((n) => !installed.has(n));
      if (!names.length) {
        results.push({backend: 'selinux', removed: [], notLoaded, kept});
        continue;
      }
      const argv = host.semoduleRemoveArgv(names);
      if (!host.isRoot()) throw needRoot(`removing ${names.length} SELinux module(s)`, argv, 'or: sudo hardcompose unload (same flags)');
      const r = host.runTool(argv);
      if (!r.ok) throw new ExitError(1, `${shellQuote(argv)} failed (exit ${r.status ?? 'none'}):\n${r.stderr.trim()}`);
      results.push({backend: 'selinux', removed: names, notLoaded, kept, command: shellQuote(argv), note: kept.length ? `kept ${SELINUX_BASE_MODULE}: ${others.join(', ')} still use it` : undefined});
    }
  }
  return {outDir: opts.location.outDir, results};
}

export function stdinRefused(command: string): UserError {
  return new UserError('E_USAGE', `-f - (compose file on standard input) cannot be used with ${command}: hardcompose and docker compose would both need to read it`, {file: '-'}, 'save the file and pass its path with -f');
}
