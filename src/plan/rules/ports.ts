/** Rule `ports`: ports the service publishes (`ports:`) or exposes (`expose:`): the only ports it may bind (SELinux name_bind). */
import {UserError} from '../../errors.js';
import type {Rule} from '../rule.js';
import type {PortRule} from '../types.js';

export const ports: Rule = {
  id: 'ports',
  summary: 'the service listens on this port (ports: or expose:)',
  remove: 'remove the port from ports:/expose:',
  apply(input, plan) {
    if (plan.network.mode === 'none') return;
    const out: PortRule[] = [];
    (input.svc.ports ?? []).forEach((p, i) => {
      const proto = (p.protocol ?? 'tcp') as PortRule['protocol'];
      out.push({port: p.target, portEnd: p.target, protocol: proto, how: 'published', source: `${input.at}.ports[${i}]`, rule: 'ports'});
    });
    (input.svc.expose ?? []).forEach((e, i) => {
      const source = `${input.at}.expose[${i}]`;
      const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(String(e));
      if (!m) throw new UserError('E_PORT', `invalid expose entry ${JSON.stringify(e)}`, {path: source}, 'use PORT, PORT/udp or a range such as 8000-8010');
      out.push({port: Number(m[1]), portEnd: Number(m[2] ?? m[1]), protocol: (m[3] ?? 'tcp') as PortRule['protocol'], how: 'exposed', source, rule: 'ports'});
    });
    plan.network.ports = out;
  },
};
