/**
 * `hardcompose up|down|run|start|restart|create|ps|logs|exec` and `hardcompose compose …`:
 * docker compose with the overlay, in one function.
 *
 * Commands that start containers (`up`, `run`, `create`, `start`, `restart`):
 *   1. make the outputs current (regenerate when stale; `--frozen` fails instead);
 *   2. check the host: would Docker really apply the backend's policies? If not, refuse
 *      (exit 1, nothing started) unless `--allow-unconfined`, which warns loudly;
 *   3. load the policies (src/core/load.ts);
 *   4. run `docker compose -f <user files…> -f <out>/overlay.yml <globals> SUB ARGS…`.
 * The others (`down`, `ps`, `logs`, `exec`, anything through `compose`) only add the overlay
 * when it exists, so Compose resolves the same project, and never regenerate or check.
 *
 * The user files are the ones the loader used (discovered ones too), as absolute paths, so the
 * overlay merges onto exactly the project hardcompose planned. Compose's exit code is returned.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {ExitError, UserError} from '../errors.js';
import type {LoadOptions} from '../compose/load.js';
import type {GenerateOptions} from './generate.js';
import type {HostVerdict} from './host-check.js';
import type {EnsureResult, LoadOutcome} from './load.js';

/** Subcommands that create or start containers: these regenerate, check the host and load. */
export const STARTING = new Set(['up', 'run', 'create', 'start', 'restart']);

export interface PassthroughOptions {
  subcommand: string;
  /** Arguments after the subcommand, in order. */
  args: string[];
  /** Compose global flags that are not hardcompose's (`--ansi never`), given before the subcommand. */
  composeGlobals: string[];
  generate: GenerateOptions;
  frozen: boolean;
  allowUnconfined: boolean;
}

export type PassthroughEvent =
  | {kind: 'regenerated'; ensured: EnsureResult}
  /** `warning`: the loud multi-line warning to print (core/host-check.ts unconfinedWarning). */
  | {kind: 'unconfined'; verdict: HostVerdict; project: string; warning: string[]}
  /** Services whose policy is in complain mode: logged, not enforced (core/host-check.ts complainWarning). */
  | {kind: 'complain'; services: string[]; warning: string[]}
  | {kind: 'loaded'; outcome: LoadOutcome}
  | {kind: 'load-skipped'; reason: string};

export interface PassthroughResult {
  /** Compose's exit code (128 + signal when a signal killed it). */
  exitCode: number;
  /** The command that was run, for messages and tests. */
  argv: string[];
}

export interface ProjectLocation {
  /** Compose files as the loader finds them: absolute, or `-` for standard input. */
  files: string[];
  workingDir: string;
  outDir: string;
  /** The overlay file when it exists. */
  overlay?: string;
}

/**
 * Where the project and its outputs are, from discovery alone (no parsing): enough for the
 * commands that do not regenerate, and it works when the compose files are broken.
 */
export async function projectLocation(load: Readonly<LoadOptions>, out: string | undefined): Promise<ProjectLocation> {
  const {discoverFiles} = await import('../compose/discover.js');
  const projectDirectory = load.projectDirectory ? path.resolve(load.cwd, load.projectDirectory) : undefined;
  const found = discoverFiles({files: load.files, cwd: load.cwd, env: load.env, projectDirectory});
  const first = found.files[0];
  const workingDir = projectDirectory ?? (first === '-' ? load.cwd : path.dirname(first));
  const outDir = path.resolve(workingDir, out ?? 'hardcompose');
  const overlay = path.join(outDir, 'overlay.yml');
  return {files: found.files, workingDir, outDir, overlay: existsSync(overlay) ? overlay : undefined};
}

/** Compose's global flags: every user file, the overlay last, then the project flags as given. */
export function composeGlobalArgs(o: {files: string[]; overlay?: string; load: Readonly<LoadOptions>; extra: string[]}): string[] {
  const out: string[] = [];
  for (const f of o.files) out.push('-f', f);
  if (o.overlay) out.push('-f', o.overlay);
  if (o.load.projectName !== undefined) out.push('-p', o.load.projectName);
  if (o.load.projectDirectory !== undefined) out.push('--project-directory', o.load.projectDirectory);
  for (const e of o.load.envFiles) out.push('--env-file', e);
  for (const p of o.load.profiles) out.push('--profile', p);
  out.push(...o.extra);
  return out;
}

export async function runPassthrough(opts: PassthroughOptions, onEvent: (e: PassthroughEvent) => void): Promise<PassthroughResult> {
  const docker = await import('../host/docker.js');
  const load = opts.generate.load;
  const lookup = docker.findCompose(load.env);
  if (!lookup.found) {
    throw new ExitError(
      1,
      `Docker Compose v2 not found: ${lookup.why}.\n  looked at: ${lookup.tried.join(', ')}\nInstall the Compose plugin (Debian/Ubuntu: docker-compose-plugin or docker-compose >= 2; see https://docs.docker.com/compose/install/linux/) and retry. Nothing was started.`,
    );
  }
  const compose = lookup.compose;
  const run = async (files: string[], overlay: string | undefined): Promise<PassthroughResult> => {
    const argv = [...compose.argv, ...composeGlobalArgs({files, overlay, load, extra: opts.composeGlobals}), opts.subcommand, ...opts.args];
    const exitCode = await docker.runForeground(argv, {cwd: load.cwd, env: load.env});
    return {exitCode, argv};
  };

  if (!STARTING.has(opts.subcommand)) {
    let loc: ProjectLocation;
    try {
      loc = await projectLocation(load, opts.generate.out);
    } catch (e) {
      // `down -p NAME` and `ps -p NAME` work without compose files (Compose finds the
      // containers by label): leave the decision, and the error if any, to Compose.
      if (e instanceof UserError && e.code === 'E_NO_COMPOSE_FILE') return run([], undefined);
      throw e;
    }
    return run(loc.files, loc.overlay);
  }

  const {ensureCurrent, loadPolicySet, policySetFromArtifacts, stdinRefused} = await import('./load.js');
  if (load.files.includes('-')) throw stdinRefused(`hardcompose ${opts.subcommand}`);
  const host = await import('../host/policy-load.js');
  const check = await import('./host-check.js');
  const kernel = {apparmor: host.apparmorKernel(), selinux: host.selinuxKernel()};
  // Ask the engine while the outputs are regenerated, when its answer can matter.
  const enginePromise = kernelAllowsAny(kernel) ? docker.engineInfoAsync(load.env) : undefined;

  const ensured = await ensureCurrent(opts.generate, {frozen: opts.frozen});
  if (ensured.written.length || ensured.removed.length) onEvent({kind: 'regenerated', ensured});
  const {built} = ensured;
  const backend = built.plan.backend;

  const engine = check.kernelAllows(backend, kernel) && enginePromise ? await enginePromise : undefined;
  const verdict = check.hostVerdict(backend, {...kernel, engine});
  if (!verdict.active) {
    if (!opts.allowUnconfined) throw new ExitError(1, check.refusalMessage(verdict, built.project.name, ensured.backendFrom));
    onEvent({kind: 'unconfined', verdict, project: built.project.name, warning: check.unconfinedWarning(verdict, built.project.name)});
    onEvent({kind: 'load-skipped', reason: `not loading the ${backend} policies: the backend is not active on this host`});
  } else {
    const privileged = check.privilegedUnderAppArmor(backend, built.plan.services);
    if (privileged.length) {
      if (!opts.allowUnconfined) throw new ExitError(1, check.privilegedRefusal(privileged, built.project.name));
      onEvent({kind: 'unconfined', verdict, project: built.project.name, warning: check.privilegedWarning(privileged, built.project.name)});
    }
    const set = policySetFromArtifacts(backend, built.outDir, built.artifacts);
    const changed = new Set(ensured.written.filter((p) => p.startsWith(`${backend}/`)).map((p) => set.names[set.files.indexOf(path.join(built.outDir, p))]).filter(Boolean));
    const outcome = await loadPolicySet(set, {mode: 'needed', changed});
    onEvent({kind: 'loaded', outcome});
    const complain = built.plan.services.filter((s) => !s.skip && !s.pinned && s.mode === 'complain').map((s) => s.service);
    if (complain.length) onEvent({kind: 'complain', services: complain, warning: check.complainWarning(complain, backend, built.project.name)});
  }

  const overlay = path.join(built.outDir, 'overlay.yml');
  return run(
    built.project.files.map((f) => f.absolute),
    existsSync(overlay) ? overlay : undefined,
  );
}

function kernelAllowsAny(k: {apparmor: {param: string; securityfs: boolean}; selinux: {enabled: boolean; enforcing: boolean}}): boolean {
  return (k.apparmor.param === 'Y' && k.apparmor.securityfs) || (k.selinux.enabled && k.selinux.enforcing);
}
