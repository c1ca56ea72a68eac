/** Rule `learned`: allowances accepted from audit logs by `hardcompose learn --write` (hardcompose.allow.yml). */
import {ALLOWANCES_FILE, PORT_ENTRY} from '../../learn/allowances.js';
import {capabilityName} from '../capabilities.js';
import {containerPath} from '../paths.js';
import type {Rule} from '../rule.js';
import type {PortRule} from '../types.js';

export const learned: Rule = {
  id: 'learned',
  summary: `allowed by ${ALLOWANCES_FILE} (accepted from audit logs with hardcompose learn --write)`,
  remove: `delete the entry from ${ALLOWANCES_FILE}`,
  apply(input, plan) {
    const sa = input.learned;
    if (!sa) return;
    const at = `${ALLOWANCES_FILE}: services.${input.name}`;
    for (const access of ['read', 'write', 'exec'] as const) {
      (sa[access] ?? []).forEach((e, i) => {
        const source = `${at}.${access}[${i}]`;
        const p = containerPath(e.value, source, 'learned');
        plan.files.push({path: p, access, kind: 'extra', source, detail: `learned ${access} ${p} (${e.evidence} log records)`, rule: 'learned'});
      });
    }
    (sa.capabilities ?? []).forEach((e, i) => {
      const source = `${at}.capabilities[${i}]`;
      const name = capabilityName(e.value, source);
      if (name !== 'all' && !plan.capabilities.some((c) => c.name === name)) {
        plan.capabilities.push({name, source, reason: `learned (${e.evidence} log records)`, rule: 'learned'});
      }
    });
    plan.capabilities.sort((a, b) => (a.name < b.name ? -1 : 1));
    if (plan.network.mode === 'none') return;
    (sa.ports ?? []).forEach((e, i) => {
      const source = `${at}.ports[${i}]`;
      const m = PORT_ENTRY.exec(e.value) as RegExpExecArray;
      plan.network.ports.push({port: Number(m[1]), portEnd: Number(m[2] ?? m[1]), protocol: m[3] as PortRule['protocol'], how: 'extra', source, rule: 'learned'});
    });
    (sa.network ?? []).forEach((e, i) => {
      if (e.value !== 'raw' || plan.network.raw) return;
      const source = `${at}.network[${i}]`;
      plan.network.raw = true;
      for (const family of ['inet', 'inet6'] as const) plan.network.sockets.push({family, type: 'raw', source, reason: 'learned raw sockets', rule: 'learned'});
      plan.network.sockets.push({family: 'packet', type: 'any', source, reason: 'learned packet sockets', rule: 'learned'});
    });
  },
};
