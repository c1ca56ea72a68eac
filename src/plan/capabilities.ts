/**
 * Linux capabilities as the engine applies them (moby oci/caps TweakCapabilities):
 * `privileged` = all; `cap_add: ALL` = all minus drops; `cap_drop: ALL` = exactly the adds;
 * otherwise Docker's default 14 minus drops plus adds. Names accept `CAP_` and any case.
 */
import {UserError} from '../errors.js';

/** capabilities(7), in kernel order; AppArmor spells them in lower case without CAP_. */
export const ALL_CAPABILITIES = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap',
  'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner',
  'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice',
  'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease', 'audit_write', 'audit_control', 'setfcap',
  'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf',
  'checkpoint_restore',
] as const;

/** Docker's default set (moby oci/caps/defaults.go). */
export const DOCKER_DEFAULT = [
  'chown', 'dac_override', 'fsetid', 'fowner', 'mknod', 'net_raw', 'setgid', 'setuid', 'setfcap', 'setpcap',
  'net_bind_service', 'sys_chroot', 'kill', 'audit_write',
];

const KNOWN = new Set<string>(ALL_CAPABILITIES);
/** DOCKER_DEFAULT in name order: a service without cap_add then needs no sort (see sorted()). */
const DOCKER_DEFAULT_BY_NAME = [...DOCKER_DEFAULT].sort();

/** `CAP_NET_ADMIN`, `net_admin`, `NET_ADMIN` → `net_admin`; `ALL` → `all`. */
export function capabilityName(raw: string, where: string): string {
  const n = String(raw).trim().toLowerCase().replace(/^cap_/, '');
  if (n === 'all' || KNOWN.has(n)) return n;
  throw new UserError('E_CAPABILITY', `unknown capability ${JSON.stringify(raw)}`, {path: where}, 'use a name from capabilities(7), e.g. NET_BIND_SERVICE or CAP_CHOWN');
}

export interface EffectiveCap {
  name: string;
  /** Compose path that granted it. */
  source: string;
  reason: string;
}

export function effectiveCapabilities(input: {privileged: boolean; add: string[]; drop: string[]; at: string}): EffectiveCap[] {
  const adds = input.add.map((c, i) => ({name: capabilityName(c, `${input.at}.cap_add[${i}]`), source: `${input.at}.cap_add[${i}]`}));
  const drops = new Set(input.drop.map((c, i) => capabilityName(c, `${input.at}.cap_drop[${i}]`)));
  const out = new Map<string, EffectiveCap>();
  if (input.privileged) {
    for (const c of ALL_CAPABILITIES) out.set(c, {name: c, source: `${input.at}.privileged`, reason: 'privileged'});
    return sorted(out);
  }
  const addAll = adds.find((a) => a.name === 'all');
  if (addAll) {
    for (const c of ALL_CAPABILITIES) if (!drops.has(c)) out.set(c, {name: c, source: addAll.source, reason: 'cap_add ALL'});
  } else if (drops.has('all')) {
    for (const a of adds) out.set(a.name, {name: a.name, source: a.source, reason: 'cap_add'});
  } else {
    for (const c of DOCKER_DEFAULT_BY_NAME) if (!drops.has(c)) out.set(c, {name: c, source: input.at, reason: 'docker default'});
    for (const a of adds) out.set(a.name, {name: a.name, source: a.source, reason: 'cap_add'});
  }
  return sorted(out);
}

function sorted(m: Map<string, EffectiveCap>): EffectiveCap[] {
  const caps: EffectiveCap[] = [];
  m.forEach((c) => caps.push(c));
  const byName = (a: EffectiveCap, b: EffectiveCap) => (a.name < b.name ? -1 : 1);
  // Already in order when inserted in order (no sort, no copy); sorted otherwise.
  for (let i = 1; i < caps.length; i++) if (byName(caps[i - 1], caps[i]) > 0) return caps.sort(byName);
  return caps;
}
