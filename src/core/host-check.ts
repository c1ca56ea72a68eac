/**
 * Would the chosen backend really confine the containers on this host? dockerd silently ignores
 * `apparmor=` on a host without AppArmor and `label=` when it runs without --selinux-enabled, and
 * starts the container unconfined (DESIGN.md, "Facts"). `hostVerdict` is pure over the facts the
 * host module reads; `probeHost` gathers them, asking the engine only when the kernel part holds.
 */
import type {Backend} from '../plan/types.js';
import type {EngineInfo} from '../host/docker.js';
import type {AppArmorKernel, SelinuxKernel} from '../host/policy-load.js';

export interface HostFacts {
  apparmor: AppArmorKernel;
  selinux: SelinuxKernel;
  /** `docker info`; undefined when it was not needed (the kernel already rules the backend out). */
  engine?: EngineInfo;
}

export interface HostVerdict {
  backend: Backend;
  /** The backend's policies would apply to containers Docker starts here. */
  active: boolean;
  /** What was found, one fact per line, when not active. */
  found: string[];
  /** How to fix it, most direct first. */
  fixes: string[];
}

const PARAM = '/sys/module/apparmor/parameters/enabled';
const AAFS = '/sys/kernel/security/apparmor';

/** The kernel part alone: whether asking the engine can change the answer. */
export function kernelAllows(backend: Backend, facts: Pick<HostFacts, 'apparmor' | 'selinux'>): boolean {
  return backend === 'apparmor' ? facts.apparmor.param === 'Y' && facts.apparmor.securityfs : facts.selinux.enabled && facts.selinux.enforcing;
}

export function hostVerdict(backend: Backend, facts: HostFacts): HostVerdict {
  const found: string[] = [];
  const fixes: string[] = [];
  if (backend === 'apparmor') {
    const {param, securityfs} = facts.apparmor;
    if (param === 'missing') found.push(`${PARAM} is missing: the kernel has no AppArmor`);
    else if (param === 'N') found.push(`${PARAM} is N: the kernel has AppArmor but it is disabled (booted with apparmor=0, or another LSM chosen with security= or lsm=)`);
    else if (param === 'unreadable') found.push(`${PARAM} cannot be read`);
    else if (!securityfs) found.push(`${AAFS} is missing: securityfs is not mounted, or AppArmor did not initialise`);
    if (param !== 'Y') {
      fixes.push('boot a kernel with AppArmor enabled: add apparmor=1 security=apparmor to the kernel command line (Debian and Ubuntu kernels have it built in) and install the apparmor package');
    } else if (!securityfs) {
      fixes.push('mount securityfs: mount -t securityfs securityfs /sys/kernel/security');
    }
    if (!found.length && facts.engine) {
      if (!facts.engine.ok) {
        found.push(`docker info failed (${facts.engine.error ?? 'no answer'}): cannot confirm that the engine applies AppArmor profiles`);
        fixes.push('start the Docker engine (or point DOCKER_HOST at it) and retry');
      } else if (!facts.engine.securityOptions.some((o) => /^name=apparmor(,|$)/.test(o))) {
        found.push(`docker info does not list name=apparmor under Security Options (it lists ${facts.engine.securityOptions.join('; ') || 'nothing'}): this dockerd does not apply AppArmor profiles`);
        fixes.push('restart dockerd after AppArmor is up, on the host itself (a dockerd inside a container without AppArmor access cannot use it)');
      }
    }
    fixes.push('on an SELinux host, use --backend selinux (or x-hardcompose.backend: selinux)');
  } else {
    const {enabled, enforcing} = facts.selinux;
    if (!enabled) found.push('/sys/fs/selinux/enforce is missing: SELinux is disabled in this kernel');
    else if (!enforcing) found.push('/sys/fs/selinux/enforce is 0: SELinux is permissive, so the policy would only log');
    if (!enabled) fixes.push('enable SELinux: SELINUX=enforcing in /etc/selinux/config, then reboot (on Debian: selinux-activate)');
    else if (!enforcing) fixes.push('switch SELinux to enforcing: setenforce 1');
    if (!found.length && facts.engine) {
      if (!facts.engine.ok) {
        found.push(`docker info failed (${facts.engine.error ?? 'no answer'}): cannot confirm that the engine applies SELinux labels`);
        fixes.push('start the Docker engine (or point DOCKER_HOST at it) and retry');
      } else if (!facts.engine.securityOptions.some((o) => /^name=selinux(,|$)/.test(o))) {
        found.push(`docker info does not list name=selinux under Security Options: dockerd runs without --selinux-enabled and ignores label= options`);
        fixes.push('start dockerd with --selinux-enabled ("selinux-enabled": true in /etc/docker/daemon.json) and restart it');
      }
    }
    fixes.push('on an AppArmor host, use --backend apparmor (or x-hardcompose.backend: apparmor)');
  }
  fixes.push('or pass --allow-unconfined to start the containers unconfined anyway, accepting the risk');
  return {backend, active: found.length === 0, found, fixes};
}

const BACKEND_NAME: Record<Backend, string> = {apparmor: 'AppArmor', selinux: 'SELinux'};

export type BackendFrom = 'flag' | 'x-hardcompose' | 'host' | 'lock';

export function backendOrigin(backend: Backend, from: BackendFrom): string {
  if (from === 'flag') return `--backend ${backend}`;
  if (from === 'lock') return `as recorded in the lock of the existing outputs; this host would choose ${backend === 'apparmor' ? 'selinux' : 'apparmor'}`;
  if (from === 'x-hardcompose') return `x-hardcompose.backend: ${backend} in the compose file`;
  return backend === 'selinux' ? 'the default on a host with SELinux enabled' : 'the default on a host without SELinux';
}

/** The refusal (exit 1): what Docker would do, the backend and why, what was found, the fixes. */
export function refusalMessage(v: HostVerdict, project: string, from: BackendFrom): string {
  const name = BACKEND_NAME[v.backend];
  const ignored = v.backend === 'apparmor' ? 'security_opt apparmor=…' : 'security_opt label=type:…';
  return [
    `refusing to start project ${project}: Docker would start its containers UNCONFINED.`,
    `The backend is ${v.backend} (${backendOrigin(v.backend, from)}), but ${name} is not active here:`,
    ...v.found.map((f) => `  - ${f}`),
    `Docker silently ignores ${ignored} in that case, so the generated policies would not apply.`,
    'To fix it:',
    ...v.fixes.map((f) => `  - ${f}`),
    'Nothing was started.',
  ].join('\n');
}

/** The loud warning printed when --allow-unconfined lets containers start anyway. */
export function unconfinedWarning(v: HostVerdict, project: string): string[] {
  const name = BACKEND_NAME[v.backend];
  const bar = '!'.repeat(78);
  return [
    bar,
    `WARNING: --allow-unconfined: the containers of project ${project} start UNCONFINED.`,
    `WARNING: ${name} is not active on this host:`,
    ...v.found.map((f) => `WARNING:   - ${f}`),
    'WARNING: Docker ignores the generated policies here; no MAC policy limits what a',
    'WARNING: compromised container can do. Do not use this outside development and CI.',
    bar,
  ];
}

/**
 * Services whose AppArmor profile Docker would drop. moby records a privileged container's
 * profile as `unconfined` (daemon saveAppArmorConfig): the profile applies at the first start
 * only, and `docker exec` and every restart (restart policy, daemon restart, reboot) run
 * unconfined. Shown in the enforcement lab (issue #7, probe restart-unconfined).
 */
export function privilegedUnderAppArmor(backend: Backend, services: ReadonlyArray<{service: string; privileged: boolean; skip: boolean; pinned?: unknown}>): string[] {
  if (backend !== 'apparmor') return [];
  return services.filter((s) => s.privileged && !s.skip && !s.pinned).map((s) => s.service);
}

const PRIVILEGED_WHY = [
  'Docker records the AppArmor profile of a privileged container as unconfined: the profile',
  'applies at its first start only; docker exec, and every restart (restart policy, daemon',
  'restart, reboot), run UNCONFINED with every capability and every host device.',
];

export function privilegedRefusal(services: string[], project: string): string {
  return [
    `refusing to start project ${project}: privileged service(s) ${services.join(', ')} would run UNCONFINED after a restart.`,
    ...PRIVILEGED_WHY,
    'To fix it:',
    '  - remove privileged: true and grant only what the service needs (cap_add, devices), then hardcompose explain SERVICE',
    '  - or pass --allow-unconfined to start it anyway, accepting the risk',
    'Nothing was started.',
  ].join('\n');
}

export function privilegedWarning(services: string[], project: string): string[] {
  const bar = '!'.repeat(78);
  return [bar, `WARNING: --allow-unconfined: privileged service(s) ${services.join(', ')} of project ${project}:`, ...PRIVILEGED_WHY.map((l) => `WARNING: ${l}`), bar];
}

/**
 * Complain mode is not enforcement: say so on every start. Under AppArmor the kernel allows and
 * logs what the profile does not allow, `audit deny` rules included (seen in the lab, kernel
 * 6.1: an exec the profile's `audit deny ... mx` forbids ran); only the silent `deny` rules still
 * block. An SELinux permissive domain blocks nothing.
 */
export function complainWarning(services: string[], backend: 'apparmor' | 'selinux', project: string): string[] {
  const what = backend === 'apparmor'
    ? 'the kernel logs and allows what the profiles forbid (audit deny rules included; only silent deny rules still block)'
    : 'their SELinux domains are permissive: every denial is logged and allowed';
  return [
    `hardcompose: WARNING: complain mode: service(s) ${services.join(', ')} of project ${project} are not enforced: ${what}.`,
    'hardcompose: WARNING: run the workload, then `hardcompose learn --from <kernel or audit log> --write`, review the diff, and start again with --mode enforce.',
  ];
}
