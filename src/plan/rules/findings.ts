/**
 * Findings: what the compose file grants that MAC cannot take back, or should not have to.
 * One rule per finding family; codes are stable (used by explain, --json and tests).
 */
import type {Rule} from '../rule.js';
import type {Finding} from '../types.js';

const DANGEROUS_CAPS: Record<string, string> = {
  sys_admin: 'near-root: mount, namespaces, many escape paths',
  sys_module: 'loads kernel modules: full host compromise',
  sys_ptrace: 'traces other processes, reads their memory',
  net_admin: 'reconfigures interfaces, routes and firewall rules',
  dac_read_search: 'bypasses file read permission checks (open_by_handle_at escape)',
  sys_rawio: 'raw I/O on devices and ports',
  bpf: 'loads BPF programs',
};

const HOST_SYSTEM_PATHS = ['/', '/etc', '/proc', '/sys', '/lib/modules', '/boot', '/usr', '/var/lib/docker', '/root'];
const DOCKER_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock'];

function f(code: string, severity: Finding['severity'], message: string, source: string, rule: string): Finding {
  return {code, severity, message, source, rule};
}

export const findingPrivileged: Rule = {
  id: 'finding-privileged',
  summary: 'privileged: all capabilities, all devices, no seccomp',
  remove: 'remove privileged: true and add only the capabilities and devices needed',
  apply(input, plan) {
    if (plan.privileged) plan.findings.push(f('privileged', 'high', 'runs privileged: every capability and every host device; under AppArmor Docker applies the profile at the first start only (exec and restarts run unconfined), so hardcompose up refuses it without --allow-unconfined', `${input.at}.privileged`, this.id));
  },
};

export const findingDockerSocket: Rule = {
  id: 'finding-docker-socket',
  summary: 'the Docker API socket is reachable: control of the engine is control of the host',
  remove: 'remove the socket mount / use_api_socket, or put a filtering socket proxy in front',
  apply(input, plan) {
    (input.svc.volumes ?? []).forEach((v, i) => {
      if (v.type === 'bind' && v.source && DOCKER_SOCKETS.includes(v.source)) {
        plan.findings.push(f('docker-socket', 'high', `mounts the Docker socket (${v.source}); whoever controls this service controls the host`, `${input.at}.volumes[${i}]`, this.id));
      }
    });
    if (input.svc.use_api_socket) plan.findings.push(f('docker-socket', 'high', 'use_api_socket gives the service the Docker API', `${input.at}.use_api_socket`, this.id));
  },
};

export const findingHostNamespaces: Rule = {
  id: 'finding-host-namespaces',
  summary: 'shares a host namespace (pid, ipc, network, uts, userns)',
  remove: 'remove pid/ipc/network_mode/uts: host',
  apply(input, plan) {
    const svc = input.svc;
    if (svc.pid === 'host') {
      plan.pidHost = true;
      plan.findings.push(f('host-pid', 'high', 'pid: host shows every host process; ptrace and signals to them are limited only by the profile', `${input.at}.pid`, this.id));
    }
    if (svc.ipc === 'host') {
      plan.ipcHost = true;
      plan.findings.push(f('host-ipc', 'medium', 'ipc: host shares System V IPC and /dev/shm with the host', `${input.at}.ipc`, this.id));
    }
    if (svc.network_mode === 'host') plan.findings.push(f('host-network', 'high', 'network_mode: host: host interfaces and every host port, including ones bound to localhost', `${input.at}.network_mode`, this.id));
    if (svc.uts === 'host') plan.findings.push(f('host-uts', 'low', 'uts: host shares the hostname', `${input.at}.uts`, this.id));
    if (svc.userns_mode === 'host') plan.findings.push(f('host-userns', 'medium', 'userns_mode: host disables user-namespace remapping', `${input.at}.userns_mode`, this.id));
  },
};

export const findingDangerousCaps: Rule = {
  id: 'finding-dangerous-caps',
  summary: 'a capability that enables escape or lateral movement',
  remove: 'drop the capability',
  apply(input, plan) {
    if (plan.privileged) return;
    for (const c of plan.capabilities) {
      const why = DANGEROUS_CAPS[c.name];
      if (why) plan.findings.push(f(`cap-${c.name}`, c.name === 'sys_admin' || c.name === 'sys_module' ? 'high' : 'medium', `holds ${c.name.toUpperCase()}: ${why}`, c.source, this.id));
    }
  },
};

export const findingHostSystemMounts: Rule = {
  id: 'finding-host-system-mounts',
  summary: 'a host system path is mounted writable',
  remove: 'mount a narrower path, or add :ro',
  apply(input, plan) {
    (input.svc.volumes ?? []).forEach((v, i) => {
      if (v.type !== 'bind' || !v.source) return;
      const src = v.source.replace(/\/+$/, '') || '/';
      if (!HOST_SYSTEM_PATHS.includes(src)) return;
      const ro = v.read_only === true;
      plan.findings.push(f('host-system-mount', ro ? 'medium' : 'high', `mounts the host's ${src} ${ro ? 'read-only' : 'writable'} at ${v.target}`, `${input.at}.volumes[${i}]`, this.id));
    });
  },
};

export const findingSecurityOpt: Rule = {
  id: 'finding-security-opt',
  summary: 'security_opt entries that weaken or replace confinement',
  remove: 'remove the security_opt entry',
  apply(input, plan) {
    (input.svc.security_opt ?? []).forEach((raw, i) => {
      const opt = String(raw).replace(/:/, '=');
      const source = `${input.at}.security_opt[${i}]`;
      const [key, value = ''] = opt.split('=', 2).length === 2 ? [opt.slice(0, opt.indexOf('=')), opt.slice(opt.indexOf('=') + 1)] : [opt];
      if (key === 'seccomp' && value === 'unconfined') plan.findings.push(f('seccomp-unconfined', 'high', 'seccomp=unconfined removes the syscall filter', source, this.id));
      if (key === 'label' && value === 'disable') plan.findings.push(f('label-disable', 'high', 'label=disable turns SELinux separation off for this service', source, this.id));
      if (key === 'apparmor' && value === 'unconfined') plan.findings.push(f('apparmor-unconfined', 'high', 'apparmor=unconfined: this service runs without AppArmor', source, this.id));
    });
  },
};
