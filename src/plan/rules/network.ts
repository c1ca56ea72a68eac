/**
 * Rule `network`: socket families and types the service may open. `network_mode: none` has
 * no inet stack; every other mode needs TCP and UDP (DNS) on IPv4 and IPv6, unix sockets, and
 * netlink (glibc's getaddrinfo asks the kernel for local addresses over NETLINK_ROUTE).
 */
import type {Rule} from '../rule.js';
import type {NetworkPlan, SocketRule} from '../types.js';

export const network: Rule = {
  id: 'network',
  summary: 'the service has a network stack (network_mode, networks)',
  remove: 'network_mode: none removes inet sockets entirely',
  apply(input, plan) {
    const nm = input.svc.network_mode;
    const source = nm ? `${input.at}.network_mode` : input.at;
    const mode: NetworkPlan['mode'] = nm === 'none' ? 'none' : nm === 'host' ? 'host' : nm && /^(service|container):/.test(nm) ? 'container' : 'bridge';
    const sockets: SocketRule[] = [{family: 'unix', type: 'any', source: input.at, reason: 'local IPC', rule: 'network'}];
    if (mode !== 'none') {
      const why = mode === 'bridge' ? 'networks' : `network_mode: ${nm}`;
      for (const family of ['inet', 'inet6'] as const) {
        sockets.push({family, type: 'stream', source, reason: `TCP (${why})`, rule: 'network'});
        sockets.push({family, type: 'dgram', source, reason: `UDP, DNS (${why})`, rule: 'network'});
      }
      sockets.push({family: 'netlink', type: 'raw', source, reason: 'address lookup (getaddrinfo)', rule: 'network'});
      sockets.push({family: 'netlink', type: 'dgram', source, reason: 'address lookup', rule: 'network'});
    }
    plan.network = {mode, source, sockets, ports: [], raw: false};
  },
};
