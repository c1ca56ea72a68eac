/**
 * Audit records as the kernel and auditd print them: AppArmor messages (apparmor(7),
 * "AppArmor failures": `apparmor="DENIED" operation=… profile=… name=…`) and SELinux AVC
 * messages (auditd's `type=AVC msg=audit(…): avc:  denied  { perms } for … scontext=…
 * tcontext=… tclass=… permissive=…`), whether the line came from `dmesg`, `/var/log/kern.log`,
 * `journalctl -k` or `/var/log/audit/audit.log`.
 */

export interface AppArmorRecord {
  lsm: 'apparmor';
  decision: 'DENIED' | 'ALLOWED' | 'AUDIT';
  operation: string;
  profile: string;
  name?: string;
  requested?: string;
  denied?: string;
  capname?: string;
  family?: string;
  sockType?: string;
  peer?: string;
  signal?: string;
  /** Seconds since the epoch from `audit(SECONDS.MS:SERIAL)`. */
  time?: number;
  line: string;
  lineNo: number;
}

export interface AvcRecord {
  lsm: 'selinux';
  decision: 'denied' | 'granted';
  perms: string[];
  scontext: string;
  tcontext: string;
  tclass: string;
  permissive: boolean;
  name?: string;
  path?: string;
  /** Port for name_bind/name_connect (`src=` or `dest=`). */
  port?: number;
  capability?: number;
  time?: number;
  line: string;
  lineNo: number;
}

export type LogRecord = AppArmorRecord | AvcRecord;

export type ParseOutcome = {kind: 'record'; record: LogRecord} | {kind: 'other'} | {kind: 'malformed'; lineNo: number; reason: string};

/** `key=value` and `key="quoted value"` pairs, in order. */
export function fields(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z_][A-Za-z0-9_-]*)=("((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s]+))/g;
  for (const m of s.matchAll(re)) {
    if (!out.has(m[1])) out.set(m[1], m[3] ?? m[4] ?? m[5]);
  }
  return out;
}

/** Fields the kernel hex-encodes, unquoted, when the value holds spaces or special characters (audit_log_untrustedstring). */
const HEX_FIELDS = new Set(['name', 'comm', 'profile', 'peer', 'target', 'srcname', 'exe', 'path', 'peer_addr']);

function value(f: Map<string, string>, key: string, raw: string): string | undefined {
  const v = f.get(key);
  if (v === undefined) return undefined;
  // Quoted values are literal; an unquoted all-hex value of a string field is hex-encoded.
  const quoted = new RegExp(`${key}="`).test(raw);
  if (!quoted && HEX_FIELDS.has(key) && /^(?:[0-9A-F]{2})+$/.test(v)) return Buffer.from(v, 'hex').toString('utf8');
  return v;
}

function auditTime(line: string): number | undefined {
  const m = /audit\((\d+(?:\.\d+)?):\d+\)/.exec(line);
  return m ? Number(m[1]) : undefined;
}

export function parseLine(line: string, lineNo: number): ParseOutcome {
  // Audit records quote the decision (apparmor="DENIED"); the kernel command line's apparmor=1 is not one.
  if (line.includes('apparmor="')) return parseAppArmor(line, lineNo);
  if (/\bavc:\s+(denied|granted)/.test(line)) return parseAvc(line, lineNo);
  return {kind: 'other'};
}

function parseAppArmor(line: string, lineNo: number): ParseOutcome {
  const at = line.indexOf('apparmor="');
  const f = fields(line.slice(at));
  const decision = f.get('apparmor');
  if (decision === 'STATUS') return {kind: 'other'};
  if (decision !== 'DENIED' && decision !== 'ALLOWED' && decision !== 'AUDIT') {
    return {kind: 'malformed', lineNo, reason: `unknown apparmor decision ${JSON.stringify(decision)}`};
  }
  const operation = f.get('operation');
  const profile = value(f, 'profile', line);
  if (!operation || !profile) return {kind: 'malformed', lineNo, reason: 'apparmor record without operation or profile'};
  const rec: AppArmorRecord = {lsm: 'apparmor', decision, operation, profile, line, lineNo, time: auditTime(line)};
  const set = <K extends keyof AppArmorRecord>(k: K, v: AppArmorRecord[K] | undefined) => {
    if (v !== undefined) rec[k] = v;
  };
  set('name', value(f, 'name', line));
  set('requested', f.get('requested_mask'));
  set('denied', f.get('denied_mask'));
  set('capname', f.get('capname'));
  set('family', f.get('family'));
  set('sockType', f.get('sock_type'));
  set('peer', value(f, 'peer', line));
  set('signal', f.get('signal'));
  return {kind: 'record', record: rec};
}

function parseAvc(line: string, lineNo: number): ParseOutcome {
  const m = /\bavc:\s+(denied|granted)\s+\{([^}]*)\}\s+for\s+(.*)$/.exec(line);
  if (!m) return {kind: 'malformed', lineNo, reason: 'avc record without { permissions } for …'};
  const f = fields(m[3]);
  const scontext = f.get('scontext');
  const tcontext = f.get('tcontext');
  const tclass = f.get('tclass');
  if (!scontext || !tcontext || !tclass) return {kind: 'malformed', lineNo, reason: 'avc record without scontext, tcontext or tclass'};
  const rec: AvcRecord = {
    lsm: 'selinux',
    decision: m[1] as 'denied' | 'granted',
    perms: m[2].trim().split(/\s+/).filter(Boolean),
    scontext,
    tcontext,
    tclass,
    permissive: f.get('permissive') === '1',
    line,
    lineNo,
    time: auditTime(line),
  };
  const name = value(f, 'name', m[3]);
  if (name !== undefined) rec.name = name;
  const path = value(f, 'path', m[3]);
  if (path !== undefined) rec.path = path;
  const port = f.get('src') ?? f.get('dest');
  if (port && /^\d+$/.test(port)) rec.port = Number(port);
  const cap = f.get('capability');
  if (cap && /^\d+$/.test(cap)) rec.capability = Number(cap);
  return {kind: 'record', record: rec};
}

/** The SELinux type of a context `user:role:type:level`. */
export function contextType(ctx: string): string {
  return ctx.split(':')[2] ?? '';
}
