/**
 * CIL text building blocks: comments, permission sets, capability classes.
 *
 * Facts (CIL reference, "Comments", "allow"; refpolicy policy/support/obj_perm_sets.spt;
 * the classes and permissions below were checked with `seinfo -c CLASS -x` on refpolicy
 * 2.20221101, and Fedora's policy defines the same ones):
 * - a comment runs from `;` to the end of the line, so only a line break can end it: any other
 *   character, `)` included, stays inside;
 * - `capability`/`cap_userns` hold capabilities 0–31 and `capability2`/`cap2_userns` the rest;
 *   the `*_userns` classes are checked instead when the capability is used inside a user
 *   namespace (rootless engines, userns-remap).
 */
import {UserError} from '../../errors.js';

/**
 * Text safe to put after `;`. Control characters (C0, DEL, C1), the Unicode line and paragraph
 * separators and the bidirectional overrides are written as `\u{…}`: a crafted compose value
 * (`x\n(allow process self (capability (sys_admin)))`) stays one comment, and no reviewer's
 * editor shows the line differently from what secilc reads. Other characters pass (UTF-8 is
 * fine in CIL comments).
 */
export function cilCommentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** An allow rule inside a service block, rendered as one line. */
export interface AllowRule {
  target: string;
  cls: string;
  perms: readonly string[];
  /** Provenance and reason; escaped by the renderer. */
  comment: string;
}

export function allowLine(rule: AllowRule): string {
  // Sorted, then repeats dropped: the same list as sorting the distinct permissions, without a Set.
  const sorted = rule.perms.length < 2 ? rule.perms : [...rule.perms].sort();
  const perms = sorted.some((p, i) => i > 0 && p === sorted[i - 1]) ? sorted.filter((p, i) => i === 0 || p !== sorted[i - 1]) : sorted;
  return `(allow process ${rule.target} (${rule.cls} (${perms.join(' ')})))`;
}

/** Capabilities above 31, which live in `capability2`/`cap2_userns`. */
const CAP2 = new Set(['mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf', 'checkpoint_restore']);
const CAP1 = new Set([
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap',
  'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner',
  'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice',
  'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease', 'audit_write', 'audit_control', 'setfcap',
]);

/** The classes a capability is checked in: init user namespace, then other user namespaces. */
export function capabilityClasses(name: string, source: string): [string, string] {
  if (CAP1.has(name)) return ['capability', 'cap_userns'];
  if (CAP2.has(name)) return ['capability2', 'cap2_userns'];
  throw new UserError('E_SELINUX_CAPABILITY', `unknown capability ${JSON.stringify(name)}`, {path: source});
}

// Permission sets, named after refpolicy's obj_perm_sets.spt macros they match.
/** list_dir_perms + watch */
export const DIR_READ = ['getattr', 'search', 'open', 'read', 'lock', 'ioctl', 'watch'];
/** manage_dir_perms */
export const DIR_MANAGE = [...DIR_READ, 'create', 'setattr', 'write', 'link', 'unlink', 'rename', 'add_name', 'remove_name', 'reparent', 'rmdir'];
/** read_file_perms + map (databases and runtimes mmap what they read) + watch */
export const FILE_READ = ['getattr', 'open', 'read', 'lock', 'ioctl', 'map', 'watch'];
/** manage_file_perms + map */
export const FILE_MANAGE = [...FILE_READ, 'create', 'setattr', 'write', 'append', 'link', 'unlink', 'rename'];
/** exec_file_perms on top of read */
export const FILE_EXEC = [...FILE_READ, 'execute', 'execute_no_trans'];
export const LNK_READ = ['getattr', 'read'];
export const LNK_MANAGE = [...LNK_READ, 'create', 'setattr', 'link', 'unlink', 'rename'];
/** Named sockets and pipes under a writable mount (e.g. a database's unix socket). */
export const SOCK_FIFO_MANAGE = ['getattr', 'open', 'read', 'write', 'append', 'create', 'setattr', 'link', 'unlink', 'rename', 'ioctl', 'lock'];
/** create_socket_perms */
export const SOCKET_CREATE = ['create', 'ioctl', 'read', 'getattr', 'write', 'setattr', 'append', 'bind', 'connect', 'getopt', 'setopt', 'shutdown', 'lock'];
/** create_stream_socket_perms */
export const STREAM_SOCKET_CREATE = [...SOCKET_CREATE, 'listen', 'accept'];
export const DEV_READ = ['getattr', 'open', 'read', 'ioctl', 'lock', 'map'];
export const DEV_WRITE = ['getattr', 'open', 'write', 'append', 'ioctl', 'lock'];
