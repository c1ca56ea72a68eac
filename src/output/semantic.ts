/**
 * The semantic summary of `diff` and `check`: per service, which rules a regeneration adds or
 * removes, in words a reviewer reads without knowing the policy language, each with the
 * compose path that caused it (`web: + capability net_admin (services.web.cap_add[1])`).
 *
 * Pure. It reads the generated files themselves, not the plan: every generated rule line
 * carries its provenance as a trailing comment, so the summary of two files on disk (say, two
 * commits) needs nothing but their text.
 */
import path from 'node:path';

export interface PolicyItem {
  /** The rule as written, without its comment: what is compared. */
  text: string;
  /** Readable words: `capability net_admin`, `write /var/lib/data`. */
  words: string;
  /** Where it came from: compose paths (`services.web.cap_add[1]`) or the reason in the comment. */
  sources: string[];
  /** Pairs a removed and an added item as one change (`level`); default: the words. */
  key?: string;
}

export interface SemanticChange {
  /** Service name; empty for project-wide changes (inputs, variables, the tool version). */
  service: string;
  change: '+' | '-' | '~';
  words: string;
  sources: string[];
  /** For `~`: the rule before (words and text, when its text changed) and its sources. */
  was?: {words?: string; text?: string; sources: string[]};
  /** For `~` of a rule's text: the rule after. */
  text?: string;
  /** File the change is in, relative to the output folder. */
  file: string;
}

export interface SummaryInput {
  path: string;
  kind: string;
  onDisk?: string;
  generated?: string;
}

// ---------------------------------------------------------------------------------------------
// Comments and provenance

const PROVENANCE_START = /^(services|volumes|networks|secrets|configs|x-hardcompose|rule:)/;

/**
 * The sources named by a rule comment. Notes are joined with `; ` and read
 * `<source> <detail> [<rule id>]`; a note that starts with a compose path gives that path, any
 * other note (a fixed reason such as `raw and packet sockets not needed`) is kept as text.
 */
export function commentSources(comment: string | undefined): string[] {
  if (!comment) return [];
  const out: string[] = [];
  for (const raw of comment.split('; ')) {
    const note = raw.trim();
    if (!note) continue;
    const first = note.split(/\s+/)[0]!;
    const bare = note.replace(/\s*\[[^\]]*\]$/, '');
    // A bare `services.NAME` says little alone (`services.db docker default`): keep the detail.
    const src = PROVENANCE_START.test(first) && /[.[]/.test(first.replace(/^services\.[^.[]+/, '')) ? first : bare;
    if (!out.includes(src)) out.push(src);
  }
  return out;
}

/**
 * Splits an AppArmor line into rule text and trailing comment. `#` starts a comment outside a
 * quoted string when it begins the line or follows white space, except `#include`.
 */
export function splitApparmorComment(line: string): {code: string; comment?: string} {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
      continue;
    }
    if (c === '"') inQuote = true;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      if (line.startsWith('#include', i) && line.slice(0, i).trim() === '') continue;
      return {code: line.slice(0, i).trim(), comment: line.slice(i + 1).trim()};
    }
  }
  return {code: line.trim()};
}

// ---------------------------------------------------------------------------------------------
// AppArmor profiles

/** A quoted AppArmor path back to the path it matches; a trailing `{,/**}` tree glob is dropped. */
export function apparmorPathWords(p: string): string {
  if (!p.startsWith('"')) return p;
  let body = p.slice(1, -1);
  if (body === '/{,**}') return '/';
  if (body.endsWith('{,/**}')) body = body.slice(0, -'{,/**}'.length);
  return body.replace(/\\x([0-9a-fA-F]{2})|\\(.)/g, (_m, hex: string | undefined, ch: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : ch!));
}

function accessWords(perms: string): string {
  const verbs: string[] = [];
  if (/[wa]/.test(perms)) verbs.push('write');
  if (/x/.test(perms)) verbs.push('exec');
  if (verbs.length === 0) {
    if (perms.includes('r')) verbs.push('read');
    if (perms.includes('m')) verbs.push('map');
    if (perms.includes('k')) verbs.push('lock');
    if (perms.includes('l')) verbs.push('link');
  }
  return verbs.join('+') || perms;
}

const FILE_RULE = /^((?:(?:audit|deny|owner|allow)\s+)*)("(?:[^"\\]|\\.)*"|[/@]\S*)\s+([rwaklmixPUCpuc]+)\s*,$/;

/** Readable words for one AppArmor rule (its text without the comment). */
export function apparmorWords(code: string): string {
  const m = FILE_RULE.exec(code);
  if (m) {
    const quals = m[1]!.split(/\s+/).filter((q) => q === 'deny');
    return [...quals, accessWords(m[3]!), apparmorPathWords(m[2]!)].join(' ');
  }
  return code.replace(/\s*,$/, '').replace(/\s+/g, ' ');
}

/** The service of a profile, from its header line, else from the file name. */
function apparmorService(file: string, text: string): string {
  const m = /^# Service (\S+) of project (\S+);/m.exec(text);
  if (m) return m[1]!;
  return path.posix.basename(file).split('.').slice(2).join('.') || path.posix.basename(file);
}

/** Rule items of a profile, plus `level …` and `mode …` from its header. */
export function apparmorItems(file: string, text: string): {service: string; items: PolicyItem[]} {
  const items: PolicyItem[] = [];
  const header = /^# Service \S+ of project \S+; level (\S+); mode (\S+?)\.$/m.exec(text);
  if (header) {
    items.push({text: `level ${header[1]}`, words: `level ${header[1]}`, sources: [], key: 'level'});
    items.push({text: `mode ${header[2]}`, words: `mode ${header[2]}`, sources: [], key: 'mode'});
  }
  for (const line of text.split('\n')) {
    const {code, comment} = splitApparmorComment(line);
    if (!code || /^profile\s.*\{$/.test(code) || code === '}') continue;
    items.push({text: code, words: apparmorWords(code), sources: commentSources(comment)});
  }
  return {service: apparmorService(file, text), items};
}

// ---------------------------------------------------------------------------------------------
// Overlay

function yamlKey(k: string): string {
  if (k.startsWith('"')) {
    try {
      return JSON.parse(k) as string;
    } catch {
      return k;
    }
  }
  return k;
}

/**
 * Items of the overlay per service: each `security_opt`, `cap_drop`, `cap_add` entry, each
 * finding (`# ! svc: severity code: message (source)`), and the services it leaves alone. Reads the overlay's own fixed layout (src/render/overlay.ts).
 */
export function overlayItems(text: string): Map<string, PolicyItem[]> {
  const out = new Map<string, PolicyItem[]>();
  const push = (svc: string, item: PolicyItem) => {
    if (!out.has(svc)) out.set(svc, []);
    out.get(svc)!.push(item);
  };
  let service = '';
  let key = '';
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^  # ! (.+?): (high|medium|low|info) ([a-z0-9_-]+): (.*) \(([^()]*)\)$/.exec(line))) {
      push(m[1]!, {text: `finding ${m[3]} ${m[5]}`, words: `finding ${m[2]} ${m[3]}: ${m[4]}`, sources: [m[5]!]});
    } else if ((m = /^  # (.+?): left alone \((.*)\)$/.exec(line))) {
      push(m[1]!, {text: 'left alone', words: 'overlay leaves it alone (no policy)', sources: [m[2]!]});
    } else if ((m = /^  ("(?:[^"\\]|\\.)*"|[^\s#"][^:]*):\s*$/.exec(line))) {
      service = yamlKey(m[1]!);
      key = '';
    } else if ((m = /^    ([A-Za-z_]+):\s*$/.exec(line))) {
      key = m[1]!;
    } else if (service && key && (m = /^      - ("(?:[^"\\]|\\.)*"|[^\s#]+)\s*(?:#\s?(.*))?$/.exec(line))) {
      const value = yamlKey(m[1]!);
      push(service, {text: `${key} ${value}`, words: `overlay ${key} ${value}`, sources: m[2] ? [m[2].trim()] : []});
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SELinux CIL modules

/** Splits a CIL line at its `;` comment (outside a quoted string). */
function splitCilComment(line: string): {code: string; comment?: string} {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') inQuote = !inQuote;
    else if (c === ';' && !inQuote) return {code: line.slice(0, i).trim(), comment: line.slice(i + 1).replace(/^;+/, '').trim()};
  }
  return {code: line.trim()};
}

const FILE_CLASSES = new Set(['file', 'dir', 'lnk_file', 'chr_file', 'blk_file', 'sock_file', 'fifo_file']);

function filePermWords(perms: string[]): string {
  const has = (...ps: string[]) => ps.some((p) => perms.includes(p));
  const verbs: string[] = [];
  if (has('write', 'append', 'create', 'add_name', 'remove_name', 'unlink', 'rename', 'setattr')) verbs.push('write');
  if (has('execute', 'execute_no_trans', 'entrypoint')) verbs.push('exec');
  if (verbs.length === 0) verbs.push(has('read', 'open', 'search', 'getattr', 'map') ? 'read' : perms.join(' '));
  return verbs.join('+');
}

/**
 * Readable words for one CIL statement of a service module:
 * `(allow process self (capability (net_admin)))` → `capability net_admin`,
 * `(allow process http_port_t (tcp_socket (name_bind)))` → `bind tcp port http_port_t`,
 * `(allow process container_file_t (file (append create …)))` → `write file container_file_t`.
 */
export function cilWords(code: string): string {
  const allow = /^\((allow|auditallow|dontaudit|neverallow) process (\S+) \((\S+) \(([^()]*)\)\)\)$/.exec(code);
  if (allow) {
    const [, kind, target, cls, permText] = allow;
    const perms = permText!.trim().split(/\s+/);
    const prefix = kind === 'allow' ? '' : `${kind} `;
    if (target === 'self' && (cls === 'capability' || cls === 'capability2')) return `${prefix}capability ${perms.join(' ')}`;
    if (target === 'self' && (cls === 'cap_userns' || cls === 'cap2_userns')) return `${prefix}capability ${perms.join(' ')} (user namespace)`;
    if (perms.length === 1 && perms[0] === 'name_bind') return `${prefix}bind ${cls!.replace(/_socket$/, '')} port ${target}`;
    if (target === 'self' && cls!.endsWith('_socket')) return `${prefix}socket ${cls}`;
    if (FILE_CLASSES.has(cls!)) return `${prefix}${filePermWords(perms)} ${cls} ${target}`;
    return `${prefix}${cls} ${perms.join(' ')} on ${target}`;
  }
  const inherit = /^\(blockinherit (\S+)\)$/.exec(code);
  if (inherit) return `inherit ${inherit[1]}`;
  if (/^\(typepermissive process\)$/.test(code)) return 'permissive (complain mode)';
  return code.replace(/[()]/g, ' ').trim().split(/\s+/).join(' ');
}

/** Statement items of a CIL module. The service comes from a `; Service NAME` header, else the block name. */
export function cilItems(file: string, text: string): {service: string; items: PolicyItem[]} {
  const items: PolicyItem[] = [];
  const header = /^;+\s*Service \S+ of project \S+; level (\S+); mode ([^;.\s]+)/m.exec(text);
  if (header) {
    items.push({text: `level ${header[1]}`, words: `level ${header[1]}`, sources: [], key: 'level'});
    items.push({text: `mode ${header[2]}`, words: `mode ${header[2]}`, sources: [], key: 'mode'});
  }
  for (const line of text.split('\n')) {
    const {code, comment} = splitCilComment(line);
    // Block structure alone is not a rule.
    if (!code || /^\(block\s+\S+$/.test(code) || /^\)+$/.test(code)) continue;
    items.push({text: code, words: cilWords(code), sources: commentSources(comment)});
  }
  const m = /^;+\s*Service (\S+) of project \S+/m.exec(text);
  return {service: m ? m[1]! : path.posix.basename(file, '.cil'), items};
}

// ---------------------------------------------------------------------------------------------
// Lock

interface LockShape {
  version?: string;
  backend?: string;
  level?: string;
  mode?: string;
  inputs?: Array<{path: string; sha256: string}>;
  /** Variable names (older locks: name → hash of the value). */
  environment?: string[] | Record<string, string | null>;
}

function parseJson(text: string | undefined): LockShape | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as LockShape) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What changed in the inputs recorded by the lock: compose files, which variables were
 * interpolated (names only; values never reach the lock), tool version, backend, level and mode. Output hashes are left out: the files say more.
 */
export function lockChanges(before: string | undefined, after: string | undefined, file = 'lock.json'): SemanticChange[] {
  const a = parseJson(before) ?? {};
  const b = parseJson(after) ?? {};
  const out: SemanticChange[] = [];
  const push = (change: SemanticChange['change'], words: string) => out.push({service: '', change, words, sources: [], file});
  for (const k of ['version', 'backend', 'level', 'mode'] as const) {
    if (a[k] !== undefined && b[k] !== undefined && a[k] !== b[k]) push('~', `${k} ${a[k]} → ${b[k]}`);
  }
  const ins = (l: LockShape) => new Map((Array.isArray(l.inputs) ? l.inputs : []).map((i) => [String(i.path), String(i.sha256)]));
  const ia = ins(a);
  const ib = ins(b);
  for (const [p, h] of ia) {
    if (!ib.has(p)) push('-', `input ${p}`);
    else if (ib.get(p) !== h) push('~', `input ${p} changed since the last generate`);
  }
  for (const p of ib.keys()) if (!ia.has(p)) push('+', `input ${p}`);
  const names = (l: LockShape) => new Set(Array.isArray(l.environment) ? l.environment.map(String) : Object.keys(l.environment ?? {}));
  const ea = names(a);
  const eb = names(b);
  for (const k of [...ea].sort()) if (!eb.has(k)) push('-', `variable ${k} no longer interpolated`);
  for (const k of [...eb].sort()) if (!ea.has(k)) push('+', `variable ${k} interpolated`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparison

function compareItems(service: string, file: string, before: PolicyItem[], after: PolicyItem[]): SemanticChange[] {
  const key = (items: PolicyItem[]) => {
    const seen = new Map<string, number>();
    return items.map((it) => {
      const n = seen.get(it.text) ?? 0;
      seen.set(it.text, n + 1);
      return [`${it.text}\u0000${n}`, it] as const;
    });
  };
  const kb = new Map(key(before));
  const ka = new Map(key(after));
  const removed = [...kb].filter(([k]) => !ka.has(k)).map(([, it]) => it);
  const added = [...ka].filter(([k]) => !kb.has(k)).map(([, it]) => it);
  const changed: SemanticChange[] = [];
  for (const [k, it] of ka) {
    const was = kb.get(k);
    if (was && was.sources.join('\n') !== it.sources.join('\n') && was.sources.length && it.sources.length) {
      changed.push({service, change: '~', words: it.words, sources: it.sources, was: {sources: was.sources}, file});
    }
  }
  // The same words (or key) on both sides: one rule rewritten (say `rwk` → `rwkl`, or the
  // level), shown as one change.
  const out: SemanticChange[] = [];
  const plus: SemanticChange[] = [];
  const remaining = [...removed];
  const pairKey = (it: PolicyItem) => it.key ?? it.words;
  for (const it of added) {
    const i = remaining.findIndex((r) => pairKey(r) === pairKey(it));
    if (i >= 0) {
      const [r] = remaining.splice(i, 1);
      changed.push({service, change: '~', words: it.words, sources: it.sources, was: {words: r!.words, text: r!.text, sources: r!.sources}, text: it.text, file});
    } else {
      plus.push({service, change: '+', words: it.words, sources: it.sources, file});
    }
  }
  for (const r of remaining) out.push({service, change: '-', words: r.words, sources: r.sources, file});
  return [...out, ...plus, ...changed];
}

function policyItems(f: SummaryInput, text: string): {service: string; items: PolicyItem[]} | undefined {
  if (f.path.startsWith('apparmor/')) return apparmorItems(f.path, text);
  if (f.path.startsWith('selinux/') && f.path.endsWith('.cil')) return cilItems(f.path, text);
  return undefined;
}

/** The semantic changes between what is on disk and what would be generated, per file. */
export function semanticChanges(files: SummaryInput[]): SemanticChange[] {
  const out: SemanticChange[] = [];
  for (const f of files) {
    if (f.onDisk === f.generated) continue;
    if (f.path === 'lock.json' || f.kind === 'lock') {
      if (f.onDisk === undefined) out.push({service: '', change: '+', words: `${f.path} (first generate)`, sources: [], file: f.path});
      else out.push(...lockChanges(f.onDisk, f.generated, f.path));
      continue;
    }
    if (f.path === 'overlay.yml' || f.kind === 'overlay') {
      if (f.onDisk === undefined || f.generated === undefined) {
        out.push({service: '', change: f.onDisk === undefined ? '+' : '-', words: f.path, sources: [], file: f.path});
        continue;
      }
      const before = overlayItems(f.onDisk);
      const after = overlayItems(f.generated);
      const services = [...new Set([...before.keys(), ...after.keys()])];
      for (const svc of services) out.push(...compareItems(svc, f.path, before.get(svc) ?? [], after.get(svc) ?? []));
      continue;
    }
    const b = f.onDisk === undefined ? undefined : policyItems(f, f.onDisk);
    const a = f.generated === undefined ? undefined : policyItems(f, f.generated);
    const what = f.path.startsWith('apparmor/')
      ? `profile ${path.posix.basename(f.path)}`
      : f.path.startsWith('selinux/')
        ? `module ${path.posix.basename(f.path, '.cil')}`
        : f.path;
    if (!b && a) {
      out.push({service: a.service, change: '+', words: `${what} (${a.items.length} rules)`, sources: [], file: f.path});
    } else if (b && !a) {
      out.push({service: b.service, change: '-', words: `${what} (no longer generated)`, sources: [], file: f.path});
    } else if (a && b) {
      out.push(...compareItems(a.service, f.path, b.items, a.items));
    } else {
      out.push({service: '', change: f.onDisk === undefined ? '+' : f.generated === undefined ? '-' : '~', words: f.path, sources: [], file: f.path});
    }
  }
  // Project-wide first, then by service; within a service, in file order.
  const order = [...new Set(out.map((c) => c.service))].sort((x, y) => (x === '' ? -1 : y === '' ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return order.flatMap((svc) => out.filter((c) => c.service === svc));
}

/** One summary line: `web: + capability net_admin (services.web.cap_add[1])`. */
export function formatChange(c: SemanticChange): string {
  const who = c.service || 'project';
  let line = `${who}: ${c.change} ${c.words}`;
  if (c.change === '~' && c.was?.words !== undefined && c.was.words !== c.words) {
    line = `${who}: ${c.change} ${c.was.words} → ${c.words}`;
    if (c.sources.length) line += ` (${c.sources.join('; ')})`;
  } else if (c.change === '~' && c.was?.text !== undefined) {
    line += `: ${c.was.text} → ${c.text}`;
    if (c.sources.length) line += ` (${c.sources.join('; ')})`;
  } else if (c.change === '~' && c.was) {
    line += ` (${c.was.sources.join('; ')} → ${c.sources.join('; ')})`;
  } else if (c.sources.length) {
    line += ` (${c.sources.join('; ')})`;
  }
  return line;
}
