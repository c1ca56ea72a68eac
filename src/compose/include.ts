/**
 * compose-spec "include": each entry is loaded as a project of its own — its own project
 * directory (the first file's folder unless `project_directory`), its own `.env` (or
 * `env_file`) under the including project's variables — and its services, networks, volumes,
 * secrets and configs are imported into the including document. A name both define is an error.
 */
import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../errors.js';
import {isPlainObject, mergeValues} from './merge.js';

type Obj = Record<string, unknown>;

/** One `include` entry with paths resolved. */
export interface IncludeEntry {
  files: string[];
  projectDirectory: string;
  /** Env files to read; `optional` when it is the default `<project dir>/.env`. */
  envFiles: string[];
  optional: boolean;
}

const RESOURCES = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/** Reads the short (`- path`) and long (`- path: […]`) forms against the includer's folder. */
export function readIncludeEntries(entries: unknown[], baseDir: string): IncludeEntry[] {
  return entries.map((entry) => {
    const e = typeof entry === 'string' ? {path: entry} : (entry as Obj);
    const files = (Array.isArray(e.path) ? e.path : [e.path]).map((p) => path.resolve(baseDir, String(p)));
    const projectDirectory = typeof e.project_directory === 'string' ? path.resolve(baseDir, e.project_directory) : path.dirname(files[0]);
    if (e.env_file === undefined) {
      const dotenv = path.join(projectDirectory, '.env');
      return {files, projectDirectory, envFiles: isFile(dotenv) ? [dotenv] : [], optional: true};
    }
    const envFiles = (Array.isArray(e.env_file) ? e.env_file : [e.env_file]).map((f) => path.resolve(baseDir, String(f)));
    return {files, projectDirectory, envFiles, optional: false};
  });
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Fails when an entry would include a file already being included (compose-go "include cycle detected"). */
export function assertNoIncludeCycle(entry: IncludeEntry, chain: readonly string[], where: {file: string; path: string}, display: (f: string) => string): void {
  const main = entry.files[0];
  if (chain.includes(main)) {
    const names = [...chain, main].map(display);
    throw new UserError('E_INCLUDE_CYCLE', `include cycle detected: ${names.join(' → ')}`, where, 'an included file must not include, directly or not, the file that includes it');
  }
}

/**
 * Imports the resources of included models into the including document (compose-go
 * importResources): a name defined twice is a conflict. Returns the merged document.
 */
export function importResources(included: Array<{model: Obj; file: string}>, doc: Obj, where: {file: string}): Obj {
  const imported: Obj = {};
  for (const {model, file} of included) {
    for (const key of RESOURCES) {
      const src = model[key];
      if (!isPlainObject(src)) continue;
      const dst = (imported[key] ??= {}) as Obj;
      const own = isPlainObject(doc[key]) ? doc[key] : {};
      for (const [n, v] of Object.entries(src)) {
        if (n in own || n in dst) {
          throw new UserError('E_INCLUDE_CONFLICT', `imported compose file ${file} defines conflicting ${key.slice(0, -1)} ${n}`, {file: where.file, path: `${key}.${n}`}, 'rename one of them, or remove it from the including file');
        }
        dst[n] = v;
      }
    }
  }
  const {include: _include, ...rest} = doc;
  return mergeValues(imported, rest, '') as Obj;
}
