/**
 * One AppArmor profile per service, rendered from its ServicePlan. Pure: no file system, no
 * processes; the fixed text comes from templates/apparmor/ (loaded once by template.ts).
 *
 * Profile language: apparmor.d(5). Checked with `apparmor_parser -QKT -M /etc/apparmor.d/abi/3.0`
 * (apparmor_parser(8)). Baseline: Docker's docker-default (moby/profiles apparmor/template.go).
 *
 * Every rule that comes from the plan is followed by a `#` comment naming the compose path that
 * caused it; rules with identical text are written once with their provenance merged. Sections
 * are sorted so the same plan always gives the same bytes.
 *
 * Every section appends its lines to one array, joined once at the end (issue #8: a thousand
 * profiles per run, so no intermediate arrays per section or per template line).
 */
import {overlaps} from '../../plan/paths.js';
import {InternalError} from '../../errors.js';
import type {
  CapabilityGrant,
  DeviceRule,
  FileRule,
  PortRule,
  SecurityPlan,
  ServicePlan,
  SocketRule,
} from '../../plan/types.js';
import {CAPABILITIES, checkCapability, checkProfileName, commentText, quoteGlobTree} from './escape.js';
import {templateBlock} from './template.js';

const INDENT = '  ';
/** Column at which provenance comments start, when the rule is short enough. */
const COMMENT_COLUMN = 32;

/** Plain code-unit order: locale-independent, so output is the same on every machine. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `<source> <detail> [<rule>]`, escaped for a comment. */
function note(source: string, detail?: string, rule?: string): string {
  let s = source;
  if (detail) s += ` ${detail}`;
  if (rule) s += ` [${rule}]`;
  return commentText(s);
}

interface Rule {
  text: string;
  rank: number;
  key: string;
  notes: string[];
}

/**
 * Rules of one section, de-duplicated by text. `rank` orders groups inside the section (allows
 * before denies, for instance); within a rank, the order is the caller's sort key.
 */
class Rules {
  private readonly byText = new Map<string, Rule>();

  add(text: string, note: string, rank = 0, key = text): void {
    const cur = this.byText.get(text);
    if (cur) {
      if (!cur.notes.includes(note)) cur.notes.push(note);
      return;
    }
    this.byText.set(text, {text, rank, key, notes: [note]});
  }

  get size(): number {
    return this.byText.size;
  }

  /** Appends one line per rule, in order, to `out`. */
  writeTo(out: string[]): void {
    const rules: Rule[] = [];
    this.byText.forEach((r) => rules.push(r));
    // Rules usually arrive in order (the plan sorts them): checking costs no copy, sorting does.
    if (!inOrder(rules, byRule)) rules.sort(byRule);
    for (let i = 0; i < rules.length; i++) out.push(ruleLine(rules[i].text, rules[i].notes));
  }
}

function byRule(a: Rule, b: Rule): number {
  return a.rank - b.rank || cmp(a.key, b.key) || cmp(a.text, b.text);
}

/** True when sorting `xs` with `order` would leave it as it is. */
function inOrder<T>(xs: readonly T[], order: (a: T, b: T) => number): boolean {
  for (let i = 1; i < xs.length; i++) if (order(xs[i - 1], xs[i]) > 0) return false;
  return true;
}

function ruleLine(text: string, notes: string[]): string {
  const line = INDENT + text;
  if (notes.length === 0) return line;
  const pad = line.length < COMMENT_COLUMN ? line.padEnd(COMMENT_COLUMN) : `${line} `;
  return `${pad}# ${notes.length === 1 ? notes[0] : [...notes].sort(cmp).join('; ')}`;
}

function comment(text: string): string {
  return `${INDENT}# ${commentText(text)}`;
}

/** A template block (already indented), unless the template has no lines. */
function pushBlock(out: string[], block: string): void {
  if (block !== '') out.push(block);
}

// ---------------------------------------------------------------------------------------------
// Capabilities

function capabilitySection(sp: ServicePlan, out: string[]): void {
  const rules = new Rules();
  const caps = sp.capabilities as CapabilityGrant[];
  for (let i = 0; i < caps.length; i++) {
    const c = caps[i];
    checkCapability(c.name, c.source);
    rules.add(CAPABILITY_TEXT.get(c.name)!, note(c.source, c.reason, c.rule));
  }
  let head: string;
  if (sp.privileged) head = 'Capabilities: privileged: true grants every capability; listed one by one.';
  else if (rules.size === 0) head = 'Capabilities: none; every capability is denied.';
  else head = "Capabilities: the effective set (Docker's defaults, cap_add, cap_drop, x-hardcompose).";
  out.push(comment(head));
  rules.writeTo(out);
}

// ---------------------------------------------------------------------------------------------
// Network

const SOCKET_FAMILIES = new Set<SocketRule['family']>(['inet', 'inet6', 'unix', 'netlink', 'packet']);
const SOCKET_TYPES = new Set<SocketRule['type']>(['stream', 'dgram', 'raw', 'seqpacket', 'any']);
const NETWORK_MODES = new Set(['none', 'host', 'bridge', 'container']);

/**
 * The rule text of every family and type, built once: a rule text is a Map key in Rules, and a
 * string made at each use would be joined and hashed again for each of a thousand profiles.
 */
const SOCKET_TEXT = new Map<string, string>(
  [...SOCKET_FAMILIES].flatMap((f) => [...SOCKET_TYPES].map((t) => [`${f} ${t}`, t === 'any' ? `network ${f},` : `network ${f} ${t},`] as [string, string])),
);

function socketRule(s: SocketRule): string {
  const text = SOCKET_FAMILIES.has(s.family) && SOCKET_TYPES.has(s.type) ? SOCKET_TEXT.get(`${s.family} ${s.type}`) : undefined;
  if (text === undefined) throw new InternalError(`unexpected socket rule ${JSON.stringify({family: s.family, type: s.type})}`);
  return text;
}

/** `capability NAME,` for every capability checkCapability accepts, built once (see SOCKET_TEXT). */
const CAPABILITY_TEXT = new Map(CAPABILITIES.map((c) => [c, `capability ${c},`]));

function portText(p: PortRule): string {
  const range = p.portEnd !== p.port ? `${p.port}-${p.portEnd}` : `${p.port}`;
  return `${range}/${p.protocol} ${p.how}`;
}

function networkSection(sp: ServicePlan, out: string[]): void {
  const net = sp.network;
  if (!NETWORK_MODES.has(net.mode)) throw new InternalError(`unexpected network mode ${JSON.stringify(net.mode)}`);
  const rules = new Rules();
  const ALLOW = 0;
  const DENY = 1;

  if (net.mode === 'none') {
    out.push(comment(`Network: network_mode none (${net.source}); no IP sockets, local unix sockets only.`));
    const why = note(net.source, 'network_mode: none');
    rules.add('deny network inet,', why, DENY);
    rules.add('deny network inet6,', why, DENY);
  } else {
    out.push(comment(`Network: mode ${net.mode} (${net.source}); socket families the service needs.`));
  }
  const byPort = (a: PortRule, b: PortRule) => a.port - b.port || cmp(a.protocol, b.protocol) || cmp(a.source, b.source);
  const ports = inOrder(net.ports, byPort) ? net.ports : [...net.ports].sort(byPort);
  if (ports.length > 0) {
    out.push(comment('Ports are not mediated by AppArmor 3.0 (socket families are); listed for review:'));
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i];
      out.push(comment(`  ${portText(p)}: ${p.source}${p.rule ? ` [${p.rule}]` : ''}`));
    }
  }

  for (let i = 0; i < net.sockets.length; i++) {
    const s = net.sockets[i];
    rules.add(socketRule(s), note(s.source, s.reason, s.rule), ALLOW);
  }
  // Local IPC is not network access; docker-default allows it through its blanket `network,`
  // (in abi 3.0 `network` includes unix sockets).
  rules.add('network unix,', 'local sockets, as in docker-default', ALLOW);

  if (net.raw) {
    const why = note(net.source, 'raw and packet sockets allowed');
    rules.add('network inet raw,', why, ALLOW);
    rules.add('network inet6 raw,', why, ALLOW);
    rules.add('network packet,', why, ALLOW);
  } else {
    // What NET_RAW guards: raw IP and packet sockets. Not `deny network raw`, which would also
    // deny netlink's SOCK_RAW sockets (address and route lookups).
    const why = 'raw and packet sockets not needed';
    rules.add('deny network inet raw,', why, DENY);
    rules.add('deny network inet6 raw,', why, DENY);
    rules.add('deny network packet,', why, DENY);
  }
  rules.writeTo(out);
}

// ---------------------------------------------------------------------------------------------
// Files

const ACCESS_ORDER: Record<FileRule['access'], number> = {read: 0, exec: 1, write: 2, 'deny-write': 3};

function fileRules(sp: ServicePlan): Rules {
  const strict = sp.level === 'strict';
  const rules = new Rules();
  const byFile = (a: FileRule, b: FileRule) => cmp(a.path, b.path) || ACCESS_ORDER[a.access] - ACCESS_ORDER[b.access] || cmp(a.source, b.source);
  // The plan usually hands them over in this order already: then no copy and no sort.
  const files = inOrder(sp.files, byFile) ? (sp.files as FileRule[]) : [...(sp.files as FileRule[])].sort(byFile);
  const execPaths = strict ? files.filter((f) => f.access === 'exec').map((f) => f.path) : [];
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    if (!(f.access in ACCESS_ORDER)) throw new InternalError(`unexpected file access ${JSON.stringify(f.access)}`);
    const tree = quoteGlobTree(f.path, f.source);
    const why = note(f.source, f.detail, f.rule);
    // Sort key: the path, then a fixed order per access, so a path's rules stay together.
    const key = `${f.path}\u0000`;
    switch (f.access) {
      case 'read':
        rules.add(`${tree} r,`, why, 0, `${key}0`);
        break;
      case 'exec':
        rules.add(`${tree} mrix,`, why, 0, `${key}1`);
        break;
      case 'write':
        if (strict) {
          rules.add(`${tree} rwkl,`, why, 0, `${key}2`);
          // Nothing writable may be executed or mapped executable; deny beats the `/** rmix`.
          // Unless the user asked for exec on an overlapping path (x-hardcompose/learned exec):
          // a deny would silently beat that allow, so the plan reports it as a finding instead.
          if (!execPaths.some((e) => overlaps(e, f.path))) rules.add(`audit deny ${tree} mx,`, why, 0, `${key}3`);
        } else {
          // Already allowed by `file,`; written out so a reviewer sees the intent.
          rules.add(`${tree} rwk,`, why, 0, `${key}2`);
        }
        break;
      case 'deny-write':
        rules.add(`deny ${tree} wl,`, why, 0, `${key}4`);
        break;
    }
  }
  return rules;
}

function devicePerms(d: DeviceRule): string {
  const p = String(d.permissions ?? '');
  return (p.includes('r') ? 'r' : '') + (p.includes('w') ? 'w' : '');
}

function deviceRules(sp: ServicePlan): Rules {
  const rules = new Rules();
  const devices = [...(sp.devices as DeviceRule[])].sort((a, b) => cmp(a.path, b.path) || cmp(a.source, b.source));
  for (const d of devices) {
    const tree = quoteGlobTree(d.path, d.source);
    const perms = devicePerms(d);
    // The host side (hostPath) never appears: rules name paths as the container sees them.
    const why = note(d.source, `device ${d.path} (${String(d.permissions ?? '')})`, d.rule);
    // `m` (mknod) is a cgroup permission, not a file one; with neither r nor w, nothing to allow.
    if (perms) rules.add(`${tree} ${perms},`, why, 0, d.path);
  }
  return rules;
}

function fileSection(sp: ServicePlan, out: string[]): void {
  const strict = sp.level === 'strict';
  pushBlock(out, templateBlock(strict ? 'strict-files' : 'baseline-files', sp.profileName));
  if (sp.readOnlyRoot) out.push(comment('read_only: true: the engine mounts the root file system read-only.'));
  const files = fileRules(sp);
  if (files.size > 0) {
    out.push('', comment('Mounts and paths as the container sees them.'));
    files.writeTo(out);
  }
  const devices = deviceRules(sp);
  if (devices.size > 0) {
    out.push('', comment('Devices.'));
    devices.writeTo(out);
  }
}

// ---------------------------------------------------------------------------------------------
// Profile

/** `# Generated by …` header, `abi`, tunables and the profile block for one service. */
export function renderAppArmorProfile(plan: SecurityPlan, sp: ServicePlan): string {
  checkProfileName(sp.profileName, `services.${sp.service}`);
  if (sp.level !== 'baseline' && sp.level !== 'strict') throw new InternalError(`unexpected level ${JSON.stringify(sp.level)}`);
  if (sp.mode !== 'enforce' && sp.mode !== 'complain') throw new InternalError(`unexpected mode ${JSON.stringify(sp.mode)}`);
  const name = sp.profileName;
  const inputs = plan.inputs.length > 0 ? plan.inputs.join(', ') : '(no input files)';
  const flags = sp.mode === 'complain' ? 'attach_disconnected,mediate_deleted,complain' : 'attach_disconnected,mediate_deleted';

  const out: string[] = [
    `# Generated by hardcompose ${commentText(plan.toolVersion)} from ${commentText(inputs)}. Edit x-hardcompose, not this file.`,
    `# Service ${commentText(sp.service)} of project ${commentText(plan.project)}; level ${sp.level}; mode ${sp.mode}.`,
    'abi <abi/3.0>,',
    '#include <tunables/global>',
    '',
    `profile ${name} flags=(${flags}) {`,
    `${INDENT}#include <abstractions/base>`,
  ];
  if (sp.privileged) {
    out.push(comment('privileged: true: Docker applies this profile at the first start only; exec and restarts run unconfined.'));
  }
  if (sp.mode === 'complain') out.push(comment('complain mode: violations are logged and allowed, audit deny rules included; only silent deny rules still block.'));
  out.push('');
  capabilitySection(sp, out);
  out.push('');
  networkSection(sp, out);
  out.push('');
  fileSection(sp, out);
  out.push('');
  pushBlock(out, templateBlock('kernel-interfaces', name));
  out.push('');
  if (sp.pidHost) out.push(comment('pid: host: host processes are visible; signals and ptrace stay limited as below.'));
  if (sp.ipcHost) out.push(comment('ipc: host: the host IPC namespace is shared (not mediated by AppArmor 3.0).'));
  pushBlock(out, templateBlock('peers', name));
  out.push('}', '');
  // The trailing '' gives the final newline: one flat string, not a concatenation to flatten.
  return out.join('\n');
}
