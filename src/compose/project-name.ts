/**
 * Project names, docs "Specify a project name": lowercase letters, digits, dashes and
 * underscores, starting with a letter or digit. A directory name is normalised to that; an
 * explicit name (flag, COMPOSE_PROJECT_NAME, `name:`) must already be valid.
 */
import {UserError} from '../errors.js';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

export function normalizeProjectName(dir: string): string {
  const n = dir.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
  if (!n) {
    throw new UserError('E_PROJECT_NAME', `cannot derive a project name from the folder ${JSON.stringify(dir)}`, {}, 'give one with -p NAME or a top-level name:');
  }
  return n;
}

export function validateProjectName(name: string): void {
  if (!VALID.test(name)) {
    throw new UserError(
      'E_PROJECT_NAME',
      `invalid project name ${JSON.stringify(name)}: must contain only lowercase letters, decimal digits, dashes, and underscores, and must begin with a lowercase letter or decimal digit`,
      {path: 'name'},
      'pick a name like "shop" or "my-app"',
    );
  }
}
