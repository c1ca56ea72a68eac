/**
 * Grants the policy forbids with a `neverallow` unless the domain carries an exemption
 * attribute. secilc checks neverallows over the whole policy, so one such rule without its
 * attribute makes `semodule -i selinux/*.cil` refuse every module of the transaction.
 *
 * Facts (refpolicy 2.20221101 base module, `grep neverallow`; the attributes are what the
 * policy's own interfaces add, e.g. kernel_load_module() → can_load_kernmodule,
 * storage_raw_read_fixed_disk() → fixed_disk_raw_read):
 * - capability sys_module: only `can_load_kernmodule` (compose: cap_add SYS_MODULE, e.g. WireGuard);
 * - capability2 mac_override: never, for any domain;
 * - shadow_t file read / write,create: `can_read_shadow_passwords` / `can_write_shadow_passwords`;
 * - memory_device_t, fixed_disk_device_t, scsi_generic_device_t read / write,append: their
 *   `*_raw_read` / `*_raw_write` (`scsi_generic_read`/`_write`) attributes;
 * - proc_kmsg_t file read: `can_receive_kernel_messages`; proc_kcore_t file (any): `can_dump_kernel`.
 * The attribute names stay in the base template (abstract blocks of the same purpose); this
 * table maps a rule to the block it needs.
 */
import type {AllowRule} from './cil.js';

export interface Exemption {
  /** The only rule target it can match (its match() checks it first). */
  target: string;
  /** Abstract block under hardcompose_base. */
  block: string;
  why: string;
  match(r: AllowRule): boolean;
}

/** The rule grants `p`, or `q` when given (no rest array per check: every rule meets every exemption). */
const has = (r: AllowRule, p: string, q?: string) => r.perms.includes(p) || (q !== undefined && r.perms.includes(q));
const devClass = (r: AllowRule) => r.cls === 'chr_file' || r.cls === 'blk_file';

export const EXEMPTIONS: readonly Exemption[] = [
  {target: 'self', block: 'load_kernel_modules', why: 'sys_module is reserved to kernel module loaders', match: (r) => r.target === 'self' && r.cls === 'capability' && has(r, 'sys_module')},
  {target: 'shadow_t', block: 'read_shadow', why: 'reading shadow_t needs the shadow exemption', match: (r) => r.target === 'shadow_t' && r.cls === 'file' && has(r, 'read')},
  {target: 'shadow_t', block: 'write_shadow', why: 'writing shadow_t needs the shadow exemption', match: (r) => r.target === 'shadow_t' && r.cls === 'file' && has(r, 'write', 'create')},
  {target: 'memory_device_t', block: 'raw_memory_read', why: 'raw memory access needs an exemption', match: (r) => r.target === 'memory_device_t' && devClass(r) && has(r, 'read')},
  {target: 'memory_device_t', block: 'raw_memory_write', why: 'raw memory access needs an exemption', match: (r) => r.target === 'memory_device_t' && devClass(r) && has(r, 'write', 'append')},
  {target: 'fixed_disk_device_t', block: 'raw_disk_read', why: 'raw disk access needs an exemption', match: (r) => r.target === 'fixed_disk_device_t' && devClass(r) && has(r, 'read')},
  {target: 'fixed_disk_device_t', block: 'raw_disk_write', why: 'raw disk access needs an exemption', match: (r) => r.target === 'fixed_disk_device_t' && devClass(r) && has(r, 'write', 'append')},
  {target: 'scsi_generic_device_t', block: 'raw_scsi_read', why: 'raw SCSI access needs an exemption', match: (r) => r.target === 'scsi_generic_device_t' && devClass(r) && has(r, 'read')},
  {target: 'scsi_generic_device_t', block: 'raw_scsi_write', why: 'raw SCSI access needs an exemption', match: (r) => r.target === 'scsi_generic_device_t' && devClass(r) && has(r, 'write', 'append')},
  {target: 'proc_kmsg_t', block: 'kernel_messages', why: 'reading kernel messages needs an exemption', match: (r) => r.target === 'proc_kmsg_t' && r.cls === 'file' && has(r, 'read')},
  {target: 'proc_kcore_t', block: 'kernel_core', why: 'access to /proc/kcore needs an exemption', match: (r) => r.target === 'proc_kcore_t' && r.cls === 'file'},
];

/** The exemptions by the rule target they apply to, in table order. */
export const EXEMPTIONS_BY_TARGET: ReadonlyMap<string, readonly Exemption[]> = EXEMPTIONS.reduce((m, e) => m.set(e.target, [...(m.get(e.target) ?? []), e]), new Map<string, Exemption[]>());

/** Capabilities no exemption allows: rendered as a comment, never as a rule. */
export const NEVER_GRANTED_CAPABILITIES: ReadonlyMap<string, string> = new Map([['mac_override', 'no policy lets a domain override MAC (neverallow domain self:capability2 mac_override)']]);
