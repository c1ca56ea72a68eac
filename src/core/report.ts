/** Plain-text and JSON views of a SecurityPlan, shared by generate and explain. */
import type {Finding, SecurityPlan, ServicePlan} from '../plan/types.js';
import {ruleById} from '../plan/rules/index.js';

export function planJson(plan: SecurityPlan) {
  return {
    project: plan.project,
    backend: plan.backend,
    level: plan.level,
    mode: plan.mode,
    inputs: plan.inputs,
    services: plan.services.map((sp) => ({
      service: sp.service,
      profile: sp.profileName,
      level: sp.level,
      mode: sp.mode,
      skip: sp.skip,
      pinned: sp.pinned ?? null,
      privileged: sp.privileged,
      readOnlyRoot: sp.readOnlyRoot,
      capabilities: sp.capabilities,
      files: sp.files.map(({hostPath: _h, ...f}) => f),
      devices: sp.devices.map(({hostPath: _h, ...d}) => d),
      network: sp.network,
      findings: sp.findings,
    })),
  };
}

export function findingsBySeverity(plan: SecurityPlan): string[] {
  const all: Array<Finding & {service: string}> = plan.services.flatMap((sp) => sp.findings.map((f) => ({...f, service: sp.service})));
  const lines: string[] = [];
  for (const sev of ['high', 'medium', 'low', 'info'] as const) {
    const group = all.filter((f) => f.severity === sev);
    if (!group.length) continue;
    lines.push(`${sev} (${group.length}):`);
    for (const f of group) lines.push(`  ${f.service}: ${f.message} [${f.code}, ${f.source}]`);
  }
  return lines;
}

interface Row {
  rule: string;
  item: string;
  why: string;
  remove: string;
}

/** The rows of `explain SERVICE`: each item, its cause and what would remove it. */
export function explainRows(sp: ServicePlan): Row[] {
  const rows: Row[] = [];
  const remove = (id: string) => ruleById(id)?.remove ?? '';
  for (const c of sp.capabilities) rows.push({rule: c.rule, item: `capability ${c.name}`, why: `${c.reason} (${c.source})`, remove: remove(c.rule)});
  for (const f of sp.files) rows.push({rule: f.rule, item: `${f.access} ${f.path}`, why: `${f.detail} (${f.source})`, remove: remove(f.rule)});
  for (const d of sp.devices) rows.push({rule: d.rule, item: `device ${d.path} ${d.permissions}`, why: `${d.hostPath} (${d.source})`, remove: remove(d.rule)});
  rows.push({rule: 'network', item: `network mode ${sp.network.mode}`, why: sp.network.source, remove: remove('network')});
  for (const s of sp.network.sockets) rows.push({rule: s.rule, item: `socket ${s.family} ${s.type}`, why: `${s.reason} (${s.source})`, remove: remove(s.rule)});
  for (const p of sp.network.ports) rows.push({rule: p.rule, item: `bind ${p.port}${p.portEnd !== p.port ? `-${p.portEnd}` : ''}/${p.protocol}`, why: `${p.how} (${p.source})`, remove: remove(p.rule)});
  if (!sp.network.raw && sp.network.mode !== 'none') rows.push({rule: 'raw-sockets', item: 'deny raw and packet sockets', why: 'not asked for', remove: 'x-hardcompose.network.raw: true to allow'});
  for (const f of sp.findings) rows.push({rule: f.rule, item: `finding ${f.code} (${f.severity})`, why: `${f.message} (${f.source})`, remove: remove(f.rule)});
  return rows;
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.min(48, Math.max(...rows.map((r) => r[i].length))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}
