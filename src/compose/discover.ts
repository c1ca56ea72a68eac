/**
 * Compose file discovery, as `docker compose` finds files (compose-go cli options): `-f`
 * (repeatable, `-` for stdin) disables discovery; else `COMPOSE_FILE` split on
 * `COMPOSE_PATH_SEPARATOR` (default `:`), relative to the current directory; else the first of
 * compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml plus the first override
 * file of that folder, searched upward from the project directory (or the current one).
 */
import {statSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../errors.js';

/** compose-go cli.DefaultFileNames, in order of preference. */
export const CANDIDATES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
/** compose-go cli.DefaultOverrideFileNames, in order of preference; any of them goes with any main file. */
export const OVERRIDE_CANDIDATES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

export interface Discovered {
  /** Absolute paths, or `-` for standard input. */
  files: string[];
  /** How they were found, for messages and `doctor`. */
  how: 'flag' | 'env' | 'search';
  /** Notes such as "found several config files", as Compose prints them. */
  warnings: string[];
}

export function discoverFiles(opts: {files: string[]; cwd: string; env: Record<string, string | undefined>; projectDirectory?: string}): Discovered {
  if (opts.files.length) {
    return {files: opts.files.map((f) => (f === '-' ? '-' : path.resolve(opts.cwd, f))), how: 'flag', warnings: []};
  }
  const fromEnv = opts.env.COMPOSE_FILE;
  if (fromEnv) {
    const sep = opts.env.COMPOSE_PATH_SEPARATOR || (process.platform === 'win32' ? ';' : ':');
    return {files: fromEnv.split(sep).filter(Boolean).map((f) => path.resolve(opts.cwd, f)), how: 'env', warnings: []};
  }
  return searchUpward(path.resolve(opts.projectDirectory ?? opts.cwd));
}

/** The first folder from `start` upward holding a compose file; its first override file joins it. */
function searchUpward(start: string): Discovered {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const mains = CANDIDATES.map((n) => path.join(dir, n)).filter(exists);
    if (mains.length) {
      const overrides = OVERRIDE_CANDIDATES.map((n) => path.join(dir, n)).filter(exists);
      const warnings = [...several('config', mains), ...several('override', overrides)];
      return {files: overrides.length ? [mains[0], overrides[0]] : [mains[0]], how: 'search', warnings};
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new UserError(
    'E_NO_COMPOSE_FILE',
    `no configuration file provided: not found (looked for ${CANDIDATES.join(', ')} in ${start} and its parents)`,
    {},
    'run hardcompose in the project folder, or name the files with -f',
  );
}

function several(kind: string, found: string[]): string[] {
  return found.length > 1 ? [`Found multiple ${kind} files with supported names: ${found.join(', ')}; using ${found[0]}`] : [];
}

/**
 * Any existing path counts, as in compose-go findFiles (os.Stat): a directory or socket named
 * compose.yaml is found, and then reading it fails with a precise error instead of the search
 * silently moving on to a parent folder.
 */
function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
