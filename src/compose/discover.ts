/**
 * Compose file discovery (docs "Specify a project name" / "Use -f"): `-f` (repeatable, `-`
 * for stdin) disables discovery; else `COMPOSE_FILE` split on `COMPOSE_PATH_SEPARATOR`
 * (default `:`); else the first of compose.yaml, compose.yml, docker-compose.yaml,
 * docker-compose.yml with its `*.override.*` twin, searched upward from the working directory.
 */
import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../errors.js';

export const CANDIDATES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export interface Discovered {
  /** Absolute paths, or `-` for standard input. */
  files: string[];
  /** How they were found, for messages and `doctor`. */
  how: 'flag' | 'env' | 'search';
}

export function discoverFiles(opts: {files: string[]; cwd: string; env: Record<string, string | undefined>; projectDirectory?: string}): Discovered {
  const base = opts.projectDirectory ?? opts.cwd;
  if (opts.files.length) {
    return {files: opts.files.map((f) => (f === '-' ? '-' : path.resolve(opts.cwd, f))), how: 'flag'};
  }
  const fromEnv = opts.env.COMPOSE_FILE;
  if (fromEnv) {
    const sep = opts.env.COMPOSE_PATH_SEPARATOR || (process.platform === 'win32' ? ';' : ':');
    return {files: fromEnv.split(sep).filter(Boolean).map((f) => path.resolve(base, f)), how: 'env'};
  }
  let dir = path.resolve(base);
  for (;;) {
    for (const name of CANDIDATES) {
      const candidate = path.join(dir, name);
      if (isFile(candidate)) {
        const ext = path.extname(name);
        const override = path.join(dir, `${name.slice(0, -ext.length)}.override${ext}`);
        return {files: isFile(override) ? [candidate, override] : [candidate], how: 'search'};
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new UserError(
    'E_NO_COMPOSE_FILE',
    `no configuration file provided: not found (looked for ${CANDIDATES.join(', ')} in ${path.resolve(base)} and its parents)`,
    {},
    'run hardcompose in the project folder, or name the files with -f',
  );
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}
