/**
 * Which Linux security modules the host runs. Read from /sys only; the one place that looks.
 * selinuxfs(5): /sys/fs/selinux/enforce exists when SELinux is enabled.
 */
import {existsSync, readFileSync} from 'node:fs';

export function selinuxEnabled(): boolean {
  return existsSync('/sys/fs/selinux/enforce');
}

export function selinuxEnforcing(): boolean {
  try {
    return readFileSync('/sys/fs/selinux/enforce', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** AppArmor is enabled in the kernel (apparmor(7)): the module parameter reads Y and securityfs shows it. */
export function apparmorEnabled(): boolean {
  try {
    return readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y' && existsSync('/sys/kernel/security/apparmor');
  } catch {
    return false;
  }
}

export function activeLsms(): string[] {
  try {
    return readFileSync('/sys/kernel/security/lsm', 'utf8').trim().split(',').filter(Boolean);
  } catch {
    return [];
  }
}
