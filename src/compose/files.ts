/**
 * Reading compose and env files, with precise errors for the usual mistakes (missing, a folder,
 * not a regular file, unreadable) and names shown relative to the project directory.
 */
import {existsSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {UserError, type Where} from '../errors.js';
import type {DocSource} from './document.js';
import {parseComposeYaml} from './yaml.js';

type Obj = Record<string, unknown>;

/** A compose file read and parsed. */
export interface Layer extends DocSource {
  docs: Obj[];
}

export function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Reads a file with precise errors for the usual mistakes (missing, directory, unreadable). */
export function readText(file: string, display: string, via: Where = {}): string {
  const where: Where = via.file ? via : {file: display};
  const named = via.file ? ` (${display})` : '';
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new UserError('E_FILE', `file not found: ${display}`, where, 'check the path given with -f, COMPOSE_FILE, --env-file, include or extends');
  }
  if (st.isDirectory()) {
    throw new UserError('E_FILE', `${display} is a directory, not a file${named}`, where, 'name the file inside it, e.g. -f dir/compose.yaml');
  }
  if (!st.isFile()) {
    // A FIFO or device would block or never end: Compose's loader needs a regular file too.
    throw new UserError('E_FILE', `${display} is not a regular file${named}`, where, 'point to a regular file');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError('E_FILE', `cannot read ${display} (${code})${named}`, where, code === 'EACCES' ? 'check the file permissions' : 'check that the file is readable');
  }
}

/** A path as shown in messages: relative to the project directory when inside it. */
export function displayName(file: string, root: string): string {
  const rel = path.relative(root, file).split(path.sep).join('/');
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function readLayer(file: string, root: string, readStdin?: () => string, via?: Where): Layer {
  let text: string;
  let display: string;
  if (file === '-') {
    if (!readStdin) throw new UserError('E_FILE', 'cannot read the compose file from standard input here', {file: '-'}, 'pass a file path with -f');
    text = readStdin();
    display = '-';
  } else {
    display = displayName(file, root);
    text = readText(file, display, via);
  }
  return {file: display, absolute: file, text, baseDir: root, docs: parseComposeYaml(text, display) as Obj[]};
}

