/** Rule `x-hardcompose`: allowances the user wrote in the service's x-hardcompose block. */
import {PORT_ENTRY} from '../../learn/allowances.js';
import {capabilityName} from '../capabilities.js';
import {containerPath} from '../paths.js';
import type {Rule} from '../rule.js';
import type {PortRule} from '../types.js';

export const xHardcompose: Rule = {
  id: 'x-hardcompose',
  summary: 'allowed by the service x-hardcompose block',
  remove: 'remove the entry from x-hardcompose',
  apply(input, plan) {
    const s = input.steering;
    const at = `${input.at}.x-hardcompose`;
    const files = (list: readonly string[], access: 'read' | 'write' | 'exec') => {
      list.forEach((raw, i) => {
        const source = `${at}.${access}[${i}]`;
        const p = containerPath(raw, source, 'x-hardcompose');
        plan.files.push({path: p, access, kind: 'extra', source, detail: `x-hardcompose ${access} ${p}`, rule: 'x-hardcompose'});
      });
    };
    files(s.read, 'read');
    files(s.write, 'write');
    files(s.exec, 'exec');
    s.capabilities.forEach((raw, i) => {
      const source = `${at}.capabilities[${i}]`;
      const name = capabilityName(raw, source);
      if (name === 'all') return;
      if (!plan.capabilities.some((c) => c.name === name)) {
        plan.capabilities.push({name, source, reason: 'x-hardcompose.capabilities', rule: 'x-hardcompose'});
      }
    });
    const byName = (a: {name: string}, b: {name: string}) => (a.name < b.name ? -1 : 1);
    // Usually nothing was added and the list is still in order: no sort, no copy.
    if (plan.capabilities.some((c, i) => i > 0 && byName(plan.capabilities[i - 1], c) > 0)) plan.capabilities.sort(byName);
    if (plan.network.mode === 'none') return;
    s.ports.forEach((raw, i) => {
      const m = PORT_ENTRY.exec(raw) as RegExpExecArray;
      plan.network.ports.push({port: Number(m[1]), portEnd: Number(m[2] ?? m[1]), protocol: m[3] as PortRule['protocol'], how: 'extra', source: `${at}.network.ports[${i}]`, rule: 'x-hardcompose'});
    });
  },
};
