/**
 * Container paths that reach a policy: absolute, normalised, printable. Anything else is
 * rejected here, before any renderer sees it (DESIGN.md "AppArmor": reject NUL and control
 * characters, require absolute, normalised paths).
 */
import {cleanPath} from '../compose/normalize/volumes.js';
import {UserError} from '../errors.js';

// C0/C1 controls, DEL, and Unicode line/paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function containerPath(raw: string, source: string, rule: string): string {
  if (typeof raw !== 'string' || raw === '') {
    throw new UserError('E_UNSAFE_PATH', 'empty container path', {path: source}, `a mount target must be an absolute path (rule ${rule})`);
  }
  if (UNSAFE.test(raw)) {
    throw new UserError('E_UNSAFE_PATH', `container path ${JSON.stringify(raw)} contains control characters`, {path: source}, `remove control characters from the path; hardcompose refuses to put them into a policy (rule ${rule})`);
  }
  if (!raw.startsWith('/')) {
    throw new UserError('E_UNSAFE_PATH', `container path ${JSON.stringify(raw)} is not absolute`, {path: source}, `mount targets are absolute paths inside the container, e.g. /data (rule ${rule})`);
  }
  // Absolute here, so this is path.posix.normalize without a trailing slash.
  return cleanPath(raw);
}

/** One container path equals or contains the other (as AppArmor trees `p{,/**}` do). */
export function overlaps(a: string, b: string): boolean {
  const within = (x: string, y: string) => x === y || y === '/' || x.startsWith(`${y}/`);
  return within(a, b) || within(b, a);
}
