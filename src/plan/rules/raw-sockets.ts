/**
 * Rule `raw-sockets`: raw (inet) and packet sockets allow spoofing and sniffing on the
 * network the service shares. Baseline allows them only when NET_RAW was asked for
 * explicitly (cap_add); strict only when x-hardcompose.network.raw is true. Docker's default
 * set holds NET_RAW for every container, which is not a reason to need it.
 */
import type {Rule} from '../rule.js';

export const rawSockets: Rule = {
  id: 'raw-sockets',
  summary: 'raw and packet sockets are allowed because they were asked for',
  remove: 'remove NET_RAW from cap_add (baseline) or x-hardcompose.network.raw',
  apply(input, plan) {
    if (plan.network.mode === 'none') return;
    const hasNetRaw = plan.capabilities.some((c) => c.name === 'net_raw');
    const askedByCap = plan.userCapAdd.includes('net_raw') || plan.userCapAdd.includes('all') || plan.privileged;
    const asked = input.steering.raw ?? (plan.level === 'baseline' && askedByCap);
    if (!asked || !hasNetRaw) return;
    const source = input.steering.raw ? `${input.at}.x-hardcompose.network.raw` : plan.privileged ? `${input.at}.privileged` : `${input.at}.cap_add`;
    plan.network.raw = true;
    for (const family of ['inet', 'inet6'] as const) plan.network.sockets.push({family, type: 'raw', source, reason: 'raw sockets asked for', rule: 'raw-sockets'});
    plan.network.sockets.push({family: 'packet', type: 'any', source, reason: 'packet sockets asked for', rule: 'raw-sockets'});
  },
};
