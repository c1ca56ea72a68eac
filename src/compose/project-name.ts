/**
 * Project names, docs "Specify a project name": lowercase letters, digits, dashes and
 * underscores, starting with a letter or digit. Precedence (compose-go cli ProjectFromOptions):
 * `-p`, then COMPOSE_PROJECT_NAME, which must already be valid; then the top-level `name:` of
 * the files and then the project folder's name, both normalised to a valid name.
 */
import {UserError, type Where} from '../errors.js';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** compose-go NormalizeProjectName: lowercase, keep [a-z0-9_-], drop leading dashes and underscores. */
export function normalizeProjectName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

export function validateProjectName(name: string, where: Where = {}, how = 'the project name'): void {
  if (!VALID.test(name)) {
    throw new UserError(
      'E_PROJECT_NAME',
      `invalid project name ${JSON.stringify(name)} (${how}): must contain only lowercase letters, decimal digits, dashes, and underscores, and must begin with a lowercase letter or decimal digit`,
      where,
      'pick a name like "shop" or "my-app"',
    );
  }
}

export interface NameSources {
  flag?: string;
  /** COMPOSE_PROJECT_NAME from the environment or the project's .env. */
  env?: string;
  /** The env file COMPOSE_PROJECT_NAME came from, if not the process environment. */
  envFile?: string;
  /** The last non-empty top-level `name:` of the compose files, interpolated, with its file. */
  file?: {value: string; file: string};
  /** The project directory's base name. */
  dir: string;
}

/** Picks the project name with Compose's precedence; imperative names are validated, others normalised. */
export function chooseProjectName(s: NameSources): string {
  if (s.flag) {
    validateProjectName(s.flag, {}, 'given with -p/--project-name');
    return s.flag;
  }
  if (s.env) {
    validateProjectName(s.env, s.envFile ? {file: s.envFile} : {}, s.envFile ? `COMPOSE_PROJECT_NAME in ${s.envFile}` : 'from COMPOSE_PROJECT_NAME');
    return s.env;
  }
  const name = s.file ? normalizeProjectName(s.file.value) : normalizeProjectName(s.dir);
  if (!name) {
    const where: Where = s.file ? {file: s.file.file, path: 'name'} : {};
    const from = s.file ? `the top-level name ${JSON.stringify(s.file.value)}` : `the folder name ${JSON.stringify(s.dir)}`;
    throw new UserError('E_PROJECT_NAME', `project name must not be empty: nothing is left of ${from} once normalised`, where, 'give one with -p NAME or a top-level name: made of lowercase letters, digits, - and _');
  }
  return name;
}
