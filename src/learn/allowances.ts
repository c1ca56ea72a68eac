/**
 * The allowance file `hardcompose.allow.yml` in the project directory: what `learn --write`
 * accepted from audit logs, read by the next `generate` as one more input. hardcompose owns
 * this file (the user's compose files and their comments are never rewritten); users review
 * and commit it, and may delete entries by hand.
 */
import {UserError} from '../errors.js';

export const ALLOWANCES_FILE = 'hardcompose.allow.yml';

/** `8080/tcp`, `9000-9010/udp`. */
export const PORT_ENTRY = /^(\d+)(?:-(\d+))?\/(tcp|udp|sctp)$/;

export interface AllowanceEntry {
  /** A container path, a capability name (`NET_ADMIN`), a port (`8080/tcp`), or `raw`. */
  value: string;
  /** How many log records justified it. */
  evidence: number;
  /** One log line, as evidence for the reviewer. */
  example?: string;
}

export const CATEGORIES = ['read', 'write', 'exec', 'capabilities', 'ports', 'network'] as const;
export type Category = (typeof CATEGORIES)[number];

export type ServiceAllowances = Partial<Record<Category, AllowanceEntry[]>>;

export interface AllowanceFile {
  version: 1;
  services: Record<string, ServiceAllowances>;
}

export function emptyAllowances(): AllowanceFile {
  return {version: 1, services: {}};
}

function fail(path: string, message: string): never {
  throw new UserError('E_ALLOWANCES', `${path}: ${message}`, {file: ALLOWANCES_FILE, path}, `fix or delete the entry in ${ALLOWANCES_FILE} (it is written by hardcompose learn --write)`);
}

/** Validates a parsed allowance file. */
export function validateAllowances(doc: unknown): AllowanceFile {
  if (doc === null || doc === undefined) return emptyAllowances();
  if (typeof doc !== 'object' || Array.isArray(doc)) fail('(top level)', 'expected a mapping with version and services');
  const d = doc as Record<string, unknown>;
  if (d.version !== 1) fail('version', `expected 1, got ${JSON.stringify(d.version)}`);
  for (const k of Object.keys(d)) if (k !== 'version' && k !== 'services') fail(k, 'unknown key');
  const services: Record<string, ServiceAllowances> = {};
  const svcs = d.services ?? {};
  if (typeof svcs !== 'object' || Array.isArray(svcs)) fail('services', 'expected a mapping of service names');
  for (const [name, raw] of Object.entries(svcs as Record<string, unknown>)) {
    const at = `services.${name}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(at, 'expected a mapping');
    const sa: ServiceAllowances = {};
    for (const [cat, list] of Object.entries(raw as Record<string, unknown>)) {
      if (!(CATEGORIES as readonly string[]).includes(cat)) fail(`${at}.${cat}`, `unknown category; expected one of ${CATEGORIES.join(', ')}`);
      if (!Array.isArray(list)) fail(`${at}.${cat}`, 'expected a list');
      sa[cat as Category] = list.map((e, i) => {
        const p = `${at}.${cat}[${i}]`;
        if (!e || typeof e !== 'object' || typeof (e as AllowanceEntry).value !== 'string') fail(p, 'expected {value, evidence, example}');
        const entry = e as AllowanceEntry;
        if (entry.evidence !== undefined && (!Number.isInteger(entry.evidence) || entry.evidence < 0)) fail(`${p}.evidence`, 'expected a count');
        for (const k of Object.keys(entry)) if (!['value', 'evidence', 'example'].includes(k)) fail(`${p}.${k}`, 'unknown key');
        if (cat === 'ports' && !PORT_ENTRY.test(entry.value)) fail(`${p}.value`, 'expected PORT/PROTOCOL such as 8080/tcp');
        if (cat === 'network' && entry.value !== 'raw') fail(`${p}.value`, 'the only network allowance is raw');
        return {value: entry.value, evidence: entry.evidence ?? 0, ...(entry.example ? {example: String(entry.example)} : {})};
      });
    }
    services[name] = sa;
  }
  return {version: 1, services};
}

/** Adds new entries to a file; an existing value keeps its place (and the larger evidence count). */
export function mergeAllowances(base: AllowanceFile, add: Record<string, ServiceAllowances>): {file: AllowanceFile; added: Array<{service: string; category: Category; value: string}>} {
  const out: AllowanceFile = structuredClone(base);
  const added: Array<{service: string; category: Category; value: string}> = [];
  for (const [service, cats] of Object.entries(add)) {
    const sa = (out.services[service] ??= {});
    for (const cat of CATEGORIES) {
      for (const e of cats[cat] ?? []) {
        const list = (sa[cat] ??= []);
        const hit = list.find((x) => x.value === e.value);
        // The same log read twice must not double the evidence: keep the larger count.
        if (hit) hit.evidence = Math.max(hit.evidence, e.evidence);
        else {
          list.push({...e});
          added.push({service, category: cat, value: e.value});
        }
      }
      sa[cat]?.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    }
  }
  return {file: out, added};
}

/** Deterministic text of the file (sorted services and entries, LF). */
export async function renderAllowances(file: AllowanceFile): Promise<string> {
  const yaml = (await import('js-yaml')).default;
  const services: Record<string, ServiceAllowances> = {};
  for (const name of Object.keys(file.services).sort()) {
    const sa: ServiceAllowances = {};
    for (const cat of CATEGORIES) if (file.services[name][cat]?.length) sa[cat] = file.services[name][cat];
    services[name] = sa;
  }
  const header = [
    `# Allowances accepted by \`hardcompose learn --write\` from audit logs; \`hardcompose generate\` reads them.`,
    '# Review them like code and commit this file. Delete an entry to withdraw it.',
  ];
  return `${header.join('\n')}\n${yaml.dump({version: 1, services}, {lineWidth: -1, noRefs: true, quotingType: '"'})}`;
}
