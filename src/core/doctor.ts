/**
 * `hardcompose doctor`: what this host would do with the project. Kernel LSMs, AppArmor and
 * SELinux state, the Docker engine and how Compose is found, which generated policies are
 * loaded, whether the outputs are stale, and what `up` would do. Reads and asks only; writes
 * nothing. `doctorText` is the readable view; `--json` prints the report itself.
 */
import path from 'node:path';
import {UserError} from '../errors.js';
import type {Backend} from '../plan/types.js';
import type {GenerateOptions} from './generate.js';
import {backendOrigin, hostVerdict, kernelAllows, type BackendFrom, type HostVerdict} from './host-check.js';

export interface DoctorReport {
  kernel: {release: string; lsms: string[] | null};
  apparmor: {
    kernel: 'enabled' | 'disabled' | 'absent' | 'unreadable';
    securityfs: boolean;
    parser: string | null;
    loadedProfiles: number | null;
  };
  selinux: {enabled: boolean; enforcing: boolean; semodule: boolean};
  user: {root: boolean};
  docker: {
    client: string | null;
    engine: string | null;
    securityOptions: string[];
    error: string | null;
  };
  compose: {
    found: boolean;
    how: 'plugin' | 'standalone' | null;
    path: string | null;
    version: string | null;
    error: string | null;
  };
  project:
    | null
    | {error: string}
    | {
        name: string;
        workingDir: string;
        outDir: string;
        backend: Backend;
        backendFrom: BackendFrom;
        outputs: {current: boolean; changed: string[]; added: string[]; removed: string[]; editedByHand: string[]};
        policies: Array<{name: string; file: string; loaded: boolean | null}>;
        verdict: HostVerdict;
        up: string;
      };
}

export async function runDoctor(gen: GenerateOptions): Promise<DoctorReport> {
  const host = await import('../host/policy-load.js');
  const docker = await import('../host/docker.js');
  const env = gen.load.env;
  const aa = host.apparmorKernel();
  const se = host.selinuxKernel();
  const loaded = host.loadedAppArmorProfiles();
  const info = docker.engineInfo(env);
  const lookup = docker.findCompose(env);
  const composeVersion = lookup.found ? docker.composeVersion(lookup.compose, env) : undefined;
  const report: DoctorReport = {
    kernel: {release: host.kernelRelease(), lsms: host.kernelLsms()},
    apparmor: {
      kernel: aa.param === 'Y' ? 'enabled' : aa.param === 'N' ? 'disabled' : aa.param === 'missing' ? 'absent' : 'unreadable',
      securityfs: aa.securityfs,
      parser: host.apparmorParserVersion() ?? null,
      loadedProfiles: loaded ? loaded.size : null,
    },
    selinux: {enabled: se.enabled, enforcing: se.enforcing, semodule: host.haveSemodule()},
    user: {root: host.isRoot()},
    docker: {
      client: info.clientVersion ?? docker.dockerClientVersion(env) ?? null,
      engine: info.serverVersion ?? null,
      securityOptions: info.securityOptions,
      error: info.ok ? null : info.error ?? 'docker info failed',
    },
    compose: lookup.found
      ? {found: true, how: lookup.compose.how, path: lookup.compose.path ?? null, version: composeVersion?.version ?? null, error: composeVersion?.ok ? null : composeVersion?.error ?? null}
      : {found: false, how: null, path: null, version: null, error: lookup.why},
    project: null,
  };

  let built;
  let backendFrom: BackendFrom;
  try {
    const {buildForHost} = await import('./load.js');
    ({built, backendFrom} = await buildForHost(gen));
  } catch (e) {
    if (e instanceof UserError && e.code === 'E_NO_COMPOSE_FILE') return report;
    if (e instanceof UserError) {
      report.project = {error: `${e.message}${e.where.file ? ` (${e.where.file}${e.where.line ? `:${e.where.line}` : ''})` : ''}`};
      return report;
    }
    throw e;
  }
  const {compareWithDisk} = await import('../output/write.js');
  const {existsSync} = await import('node:fs');
  const cmp = compareWithDisk(built.outDir, built.artifacts);
  const backend = built.plan.backend;
  const {policySetFromArtifacts} = await import('./load.js');
  const set = policySetFromArtifacts(backend, built.outDir, built.artifacts);
  let present: Set<string> | null = null;
  if (backend === 'apparmor') present = aa.param === 'Y' ? loaded : new Set(); // no AppArmor: nothing can be loaded
  else present = se.enabled ? host.installedSelinuxModules() : new Set();
  const verdict = hostVerdict(backend, {apparmor: aa, selinux: se, engine: kernelAllows(backend, {apparmor: aa, selinux: se}) ? info : undefined});
  const stale = cmp.changed.length + cmp.stale.length;
  let up: string;
  if (!verdict.active) up = `refuse to start (exit 1): ${verdict.found[0]}; --allow-unconfined would start the containers UNCONFINED`;
  else {
    const missing = present ? set.names.filter((n) => !present!.has(n)) : set.names;
    const steps = [stale ? `regenerate ${stale} file(s)` : '', missing.length || stale ? `load ${backend === 'apparmor' ? 'the profiles' : 'the modules'}${report.user.root ? '' : ' (needs root: it would refuse and print the sudo command)'}` : ''].filter(Boolean);
    up = `${steps.length ? `${steps.join(', then ')}, then ` : ''}start the containers confined by ${backend}`;
  }
  report.project = {
    name: built.project.name,
    workingDir: built.project.workingDir,
    outDir: built.outDir,
    backend,
    backendFrom,
    outputs: {
      current: stale === 0,
      changed: cmp.changed.filter((a) => existsSync(path.join(built.outDir, a.path))).map((a) => a.path),
      added: cmp.changed.filter((a) => !existsSync(path.join(built.outDir, a.path))).map((a) => a.path),
      removed: cmp.stale,
      editedByHand: cmp.edited.map((e) => e.path),
    },
    policies: set.names.map((name, i) => ({name, file: set.files[i], loaded: present ? present.has(name) : null})),
    verdict,
    up,
  };
  return report;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** The readable report. */
export function doctorText(r: DoctorReport): string {
  const rows: Array<[string, string] | string> = [];
  rows.push('Kernel', ['release', r.kernel.release], ['LSMs', r.kernel.lsms ? r.kernel.lsms.join(', ') || '(none)' : 'unknown (/sys/kernel/security/lsm is missing)']);
  const aaKernel = {
    enabled: 'enabled',
    disabled: 'disabled (/sys/module/apparmor/parameters/enabled is N)',
    absent: 'absent (/sys/module/apparmor/parameters/enabled is missing)',
    unreadable: 'unknown (/sys/module/apparmor/parameters/enabled is unreadable)',
  }[r.apparmor.kernel];
  rows.push(
    'AppArmor',
    ['kernel', aaKernel],
    ['securityfs', r.apparmor.securityfs ? '/sys/kernel/security/apparmor' : 'missing'],
    ['apparmor_parser', r.apparmor.parser ?? 'not installed (apt-get install apparmor)'],
    ['loaded profiles', r.apparmor.loadedProfiles === null ? 'unknown' : String(r.apparmor.loadedProfiles)],
  );
  rows.push(
    'SELinux',
    ['kernel', r.selinux.enabled ? (r.selinux.enforcing ? 'enforcing' : 'permissive') : 'disabled'],
    ['semodule', r.selinux.semodule ? 'installed' : 'not installed'],
  );
  rows.push(
    'Docker',
    ['client', r.docker.client ?? 'not found'],
    ['engine', r.docker.engine ?? `unreachable: ${r.docker.error ?? 'no answer'}`],
    ['security options', r.docker.engine ? r.docker.securityOptions.join('; ') || '(none)' : '-'],
  );
  rows.push(
    'Compose',
    ['found', r.compose.found ? (r.compose.how === 'plugin' ? `docker compose plugin${r.compose.path ? ` (${r.compose.path})` : ''}` : `docker-compose v2 (${r.compose.path})`) : `no: ${r.compose.error}`],
  );
  if (r.compose.found) rows.push(['version', r.compose.version ?? `unknown: ${r.compose.error}`]);
  rows.push('User', ['root', `${yesNo(r.user.root)}${r.user.root ? '' : ' (load and unload need root)'}`]);
  const p = r.project;
  if (p === null) rows.push('Project', ['compose files', 'none found here (run doctor in the project folder, or pass -f)']);
  else if ('error' in p) rows.push('Project', ['error', p.error]);
  else {
    const o = p.outputs;
    const outputs = o.current
      ? 'current'
      : `stale: ${[o.changed.length ? `${o.changed.length} would change` : '', o.added.length ? `${o.added.length} missing` : '', o.removed.length ? `${o.removed.length} would be removed` : ''].filter(Boolean).join(', ')}`;
    rows.push(
      `Project ${p.name}`,
      ['folder', p.workingDir],
      ['backend', `${p.backend} (${backendOrigin(p.backend, p.backendFrom)})`],
      ['outputs', `${p.outDir}: ${outputs}`],
    );
    for (const f of [...o.changed, ...o.added, ...o.removed]) rows.push(['', `  ${f}`]);
    if (o.editedByHand.length) rows.push(['edited by hand', o.editedByHand.join(', ')]);
    for (const pol of p.policies) rows.push([p.backend === 'apparmor' ? 'profile' : 'module', `${pol.name}: ${pol.loaded === null ? 'unknown' : pol.loaded ? 'loaded' : 'not loaded'}`]);
    if (!p.verdict.active) {
      rows.push(['confinement', `NOT ACTIVE: Docker would start the containers unconfined`]);
      for (const f of p.verdict.found) rows.push(['', `- ${f}`]);
      rows.push(['fix', p.verdict.fixes[0]]);
      for (const f of p.verdict.fixes.slice(1)) rows.push(['', f]);
    } else rows.push(['confinement', `active: ${p.backend} policies would apply`]);
    rows.push(['hardcompose up', `would ${p.up}`]);
  }
  const width = Math.max(...rows.filter((x): x is [string, string] => Array.isArray(x)).map(([k]) => k.length));
  return `${rows.map((x) => (typeof x === 'string' ? x : `  ${x[0].padEnd(width)}  ${x[1]}`)).join('\n')}\n`;
}
