/**
 * From audit records to reviewed allowances: records are attributed to services through the
 * AppArmor profile name (`hardcompose.<project>.<service>`) or the SELinux domain
 * (`<block>.process`), grouped, de-duplicated, generalised to the directory that explains
 * them, and split into proposals and findings. Sensitive widenings are findings unless
 * `allowSensitive`.
 */
import path from 'node:path';
import {ALL_CAPABILITIES} from '../plan/capabilities.js';
import type {AllowanceEntry, Category, ServiceAllowances} from './allowances.js';
import {type AppArmorRecord, type AvcRecord, type LogRecord, contextType} from './records.js';

export interface Suggestion {
  service: string;
  category: Category;
  value: string;
  evidence: number;
  examples: string[];
  /** Why it is sensitive, when it is. */
  sensitive?: string;
}

export interface LearnFinding {
  service: string;
  code: string;
  message: string;
  evidence: number;
  example: string;
}

export interface LearnInput {
  project: string;
  /** Service name → SELinux block name. */
  blocks: Map<string, string>;
  services: string[];
  allowSensitive: boolean;
  /**
   * Service → container paths it can already write (rw volumes, tmpfs, scratch, learned write
   * allowances). Executing from one of them is write-xor-execute broken: an attacker's dropped
   * file would run, so such an exec is sensitive.
   */
  writable?: Map<string, string[]>;
}

export interface LearnResult {
  suggestions: Suggestion[];
  findings: LearnFinding[];
  /** Records for profiles/domains that are not this project's services. */
  ignored: number;
  attributed: number;
}

const SENSITIVE_PATHS: Array<[string, string]> = [
  ['/etc/shadow', 'password hashes'],
  ['/etc/gshadow', 'group password hashes'],
  ['/etc/sudoers', 'sudo rules'],
  ['/proc/kcore', 'kernel memory'],
  ['/proc/sysrq-trigger', 'kernel SysRq'],
  ['/proc/sys', 'kernel tunables'],
  ['/sys/kernel', 'kernel interfaces'],
  ['/sys/firmware', 'firmware tables'],
  ['/sys/fs/cgroup', 'cgroup control (release_agent escape)'],
  ['/var/run/docker.sock', 'the Docker API'],
  ['/run/docker.sock', 'the Docker API'],
  ['/dev/mem', 'physical memory'],
  ['/dev/kmem', 'kernel memory'],
  ['/lib/modules', 'kernel modules'],
  ['/boot', 'boot files'],
];

const SENSITIVE_CAPS: Record<string, string> = {
  sys_admin: 'near-root capability (mount, namespaces)',
  sys_module: 'loads kernel modules',
  sys_ptrace: 'traces other processes',
  sys_rawio: 'raw device I/O',
  dac_read_search: 'bypasses read permission checks',
  mac_admin: 'changes MAC policy',
  mac_override: 'overrides MAC policy',
  bpf: 'loads BPF programs',
};

/** Below this depth (`/var`, `/`) a generalised path would be a blanket: keep the separate entries. */
const MIN_DEPTH = 2;

function sensitivePath(p: string): string | undefined {
  if (p === '/' || p.split('/').filter(Boolean).length < MIN_DEPTH) return 'a top-level path';
  for (const [prefix, why] of SENSITIVE_PATHS) if (p === prefix || p.startsWith(`${prefix}/`)) return why;
  return undefined;
}

/** Which service a record belongs to, or undefined for other profiles and domains. */
export function attribute(rec: LogRecord, input: LearnInput): string | undefined {
  if (rec.lsm === 'apparmor') {
    // Child profiles and hats print as `parent//child`.
    const profile = rec.profile.split('//')[0];
    const prefix = `hardcompose.${input.project}.`;
    if (!profile.startsWith(prefix)) return undefined;
    const svc = profile.slice(prefix.length);
    return input.services.includes(svc) ? svc : undefined;
  }
  const type = contextType(rec.scontext);
  if (!type.endsWith('.process')) return undefined;
  const block = type.slice(0, -'.process'.length);
  for (const [svc, b] of input.blocks) if (b === block) return svc;
  return undefined;
}

const WRITE_MASK = /[wacdlk]/;
const CREATE_OPS = new Set(['mknod', 'mkdir', 'unlink', 'rmdir', 'rename_src', 'rename_dest', 'link', 'symlink']);

interface Acc {
  service: string;
  category: Category;
  value: string;
  count: number;
  examples: string[];
}

export function suggest(records: LogRecord[], input: LearnInput): LearnResult {
  const acc = new Map<string, Acc>();
  const findings = new Map<string, LearnFinding>();
  let ignored = 0;
  let attributed = 0;
  const add = (service: string, category: Category, value: string, line: string) => {
    const k = `${service}\u0000${category}\u0000${value}`;
    const a = acc.get(k) ?? {service, category, value, count: 0, examples: []};
    a.count++;
    if (a.examples.length < 2 && !a.examples.includes(line)) a.examples.push(line);
    acc.set(k, a);
  };
  const find = (service: string, code: string, message: string, line: string) => {
    const k = `${service}\u0000${code}\u0000${message}`;
    const f = findings.get(k) ?? {service, code, message, evidence: 0, example: line};
    f.evidence++;
    findings.set(k, f);
  };
  for (const rec of records) {
    const service = attribute(rec, input);
    if (!service) {
      ignored++;
      continue;
    }
    attributed++;
    if (rec.lsm === 'apparmor') fromAppArmor(rec, service, add, find);
    else fromAvc(rec, service, add, find);
  }
  const general = generalise([...acc.values()]);
  // What this batch proposes to make writable counts too: write + exec of one path is a dropper.
  const writable = new Map<string, string[]>([...(input.writable ?? new Map<string, string[]>())].map(([k, v]) => [k, [...v]]));
  for (const s of general) if (s.category === 'write') writable.set(s.service, [...(writable.get(s.service) ?? []), s.value]);
  const suggestions = general.map((s) => markSensitive(s, writable.get(s.service) ?? []));
  const out: Suggestion[] = [];
  for (const s of suggestions) {
    if (s.sensitive && !input.allowSensitive) {
      const message = `${s.category} ${s.value} is sensitive (${s.sensitive}); not proposed without --allow-sensitive`;
      findings.set(`${s.service}\u0000sensitive\u0000${message}`, {service: s.service, code: 'sensitive', message, evidence: s.evidence, example: s.examples[0] ?? ''});
      continue;
    }
    out.push(s);
  }
  const order = (a: {service: string}, b: {service: string}) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0);
  return {
    suggestions: out.sort((a, b) => order(a, b) || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0) || (a.value < b.value ? -1 : 1)),
    findings: [...findings.values()].sort((a, b) => order(a, b) || (a.code < b.code ? -1 : a.code > b.code ? 1 : a.message < b.message ? -1 : 1)),
    ignored,
    attributed,
  };
}

type Add = (service: string, category: Category, value: string, line: string) => void;
type Find = (service: string, code: string, message: string, line: string) => void;

function fromAppArmor(rec: AppArmorRecord, service: string, add: Add, find: Find): void {
  const op = rec.operation;
  const mask = rec.denied ?? rec.requested ?? '';
  if (op === 'capable' && rec.capname) {
    add(service, 'capabilities', rec.capname.toUpperCase(), rec.line);
  } else if (op === 'create' && (rec.sockType === 'raw' || rec.family === 'packet')) {
    add(service, 'network', 'raw', rec.line);
  } else if (op === 'mount' || op === 'umount' || op === 'pivotroot' || op === 'remount') {
    find(service, 'mount', `${op} ${rec.name ?? ''} was ${rec.decision.toLowerCase()}: hardcompose never allows mounts from inside a container`, rec.line);
  } else if (op === 'ptrace') {
    find(service, 'ptrace', `ptrace ${mask} of ${rec.peer ?? 'another profile'} was ${rec.decision.toLowerCase()}: tracing outside the service is not proposed`, rec.line);
  } else if (op === 'signal') {
    find(service, 'signal', `signal ${rec.signal ?? ''} ${mask} with ${rec.peer ?? 'another profile'} was ${rec.decision.toLowerCase()}`, rec.line);
  } else if (rec.name && rec.name.startsWith('/')) {
    const p = path.posix.normalize(rec.name);
    // A created file stands for its folder (new names keep coming), unless the file itself is
    // sensitive: an O_CREAT open of /etc/shadow logs mknod too, and "write /etc" would hide it.
    if (WRITE_MASK.test(mask)) add(service, 'write', CREATE_OPS.has(op) && !sensitivePath(p) ? path.posix.dirname(p) : p, rec.line);
    else if (/[xm]/.test(mask)) add(service, 'exec', p, rec.line);
    else if (/r/.test(mask)) add(service, 'read', p, rec.line);
  } else {
    find(service, 'unmapped', `${op} ${mask} ${rec.name ?? ''} cannot be expressed as an allowance`.replace(/\s+/g, ' ').trim(), rec.line);
  }
}

const FILE_CLASSES = new Set(['file', 'dir', 'lnk_file', 'sock_file', 'chr_file', 'blk_file', 'fifo_file']);
const WRITE_PERMS = new Set(['write', 'append', 'create', 'unlink', 'rename', 'add_name', 'remove_name', 'setattr', 'link', 'rmdir', 'reparent']);

function fromAvc(rec: AvcRecord, service: string, add: Add, find: Find): void {
  if (rec.tclass === 'capability' || rec.tclass === 'cap_userns') {
    for (const p of rec.perms) if ((ALL_CAPABILITIES as readonly string[]).includes(p)) add(service, 'capabilities', p.toUpperCase(), rec.line);
    return;
  }
  if (rec.perms.includes('name_bind') && rec.port !== undefined) {
    const proto = rec.tclass === 'udp_socket' ? 'udp' : rec.tclass === 'sctp_socket' ? 'sctp' : 'tcp';
    add(service, 'ports', `${rec.port}/${proto}`, rec.line);
    return;
  }
  if (rec.tclass === 'rawip_socket' || rec.tclass === 'packet_socket') {
    add(service, 'network', 'raw', rec.line);
    return;
  }
  if (FILE_CLASSES.has(rec.tclass)) {
    const write = rec.perms.some((p) => WRITE_PERMS.has(p));
    const exec = rec.perms.includes('execute');
    if (rec.path?.startsWith('/')) {
      add(service, write ? 'write' : exec ? 'exec' : 'read', path.posix.normalize(rec.path), rec.line);
      return;
    }
    // AVCs name only the last component: the reviewer maps it to a mount.
    find(service, 'selinux-file', `{ ${rec.perms.join(' ')} } on ${rec.tclass} ${JSON.stringify(rec.name ?? '?')} of type ${contextType(rec.tcontext)}: relabel the mount with :z, or add its path to x-hardcompose ${write ? 'write' : 'read'}`, rec.line);
    return;
  }
  find(service, 'unmapped', `{ ${rec.perms.join(' ')} } on ${rec.tclass} ${contextType(rec.tcontext)} cannot be expressed as an allowance`, rec.line);
}

/**
 * Many files under one directory become one directory allowance (rendered as a tree), never
 * shallower than two path components. Exact duplicates were merged on the way in.
 */
function generalise(items: Acc[]): Suggestion[] {
  const out: Suggestion[] = [];
  const byKey = new Map<string, Acc[]>();
  for (const a of items) {
    if (a.category === 'read' || a.category === 'write' || a.category === 'exec') {
      const parts = a.value.split('/').filter(Boolean);
      const group = `${a.service}\u0000${a.category}\u0000/${parts.slice(0, MIN_DEPTH + 1).join('/')}`;
      byKey.set(group, [...(byKey.get(group) ?? []), a]);
    } else out.push({service: a.service, category: a.category, value: a.value, evidence: a.count, examples: a.examples});
  }
  for (const group of byKey.values()) {
    if (group.length === 1) {
      const a = group[0];
      out.push({service: a.service, category: a.category, value: a.value, evidence: a.count, examples: a.examples});
      continue;
    }
    let prefix = group[0].value.split('/');
    for (const a of group.slice(1)) {
      const p = a.value.split('/');
      let i = 0;
      while (i < prefix.length && i < p.length && prefix[i] === p[i]) i++;
      prefix = prefix.slice(0, i);
    }
    const common = prefix.join('/') || '/';
    if (common.split('/').filter(Boolean).length < MIN_DEPTH) {
      for (const a of group) out.push({service: a.service, category: a.category, value: a.value, evidence: a.count, examples: a.examples});
      continue;
    }
    out.push({
      service: group[0].service,
      category: group[0].category,
      value: common,
      evidence: group.reduce((n, a) => n + a.count, 0),
      examples: group.flatMap((a) => a.examples).slice(0, 2),
    });
  }
  return out;
}

function under(p: string, dir: string): boolean {
  return dir === '/' || p === dir || p.startsWith(`${dir}/`);
}

function markSensitive(s: Suggestion, writable: string[]): Suggestion {
  if (s.category === 'read' || s.category === 'write' || s.category === 'exec') {
    const why = sensitivePath(s.value);
    if (why) return {...s, sensitive: why};
  }
  if (s.category === 'exec') {
    const w = writable.find((d) => under(s.value, d) || under(d, s.value));
    if (w) return {...s, sensitive: `the service can write ${w}: a file dropped there would run (write xor execute)`};
  }
  if (s.category === 'capabilities') {
    const why = SENSITIVE_CAPS[s.value.toLowerCase()];
    if (why) return {...s, sensitive: why};
  }
  return s;
}

/** Suggestions as allowance entries, per service. */
export function toAllowances(suggestions: Suggestion[]): Record<string, ServiceAllowances> {
  const out: Record<string, ServiceAllowances> = {};
  for (const s of suggestions) {
    const entry: AllowanceEntry = {value: s.value, evidence: s.evidence, ...(s.examples[0] ? {example: s.examples[0]} : {})};
    ((out[s.service] ??= {})[s.category] ??= []).push(entry);
  }
  return out;
}
