/**
 * Writing artifacts to the output folder: atomic (temp file + rename), only files whose
 * content changed, stale outputs of removed services deleted, and hand edits detected
 * against the lock and refused unless forced. Everything is checked before anything is
 * written, so a refusal leaves the folder as it was.
 */
import {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import path from 'node:path';
import {ExitError, InternalError} from '../errors.js';
import type {Artifact} from '../plan/types.js';
import {LOCK_PATH, parseLock, sha256} from '../render/lock.js';

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

export interface Edited {
  path: string;
  onDisk: string;
  generated: string;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Compares artifacts with the folder; pure apart from reading. */
export function compareWithDisk(outDir: string, artifacts: Artifact[]) {
  const lock = parseLock(readIfExists(path.join(outDir, LOCK_PATH)) ?? '');
  const locked = new Map((lock?.outputs ?? []).map((o) => [o.path, o.sha256]));
  const changed: Artifact[] = [];
  const unchanged: string[] = [];
  const edited: Edited[] = [];
  for (const a of artifacts) {
    const disk = readIfExists(path.join(outDir, a.path));
    if (disk === a.content) {
      unchanged.push(a.path);
      continue;
    }
    changed.push(a);
    const was = locked.get(a.path);
    if (disk !== undefined && was !== undefined && sha256(disk) !== was) edited.push({path: a.path, onDisk: disk, generated: a.content});
  }
  const wanted = new Set(artifacts.map((a) => a.path));
  const stale: string[] = [];
  for (const [p, hash] of locked) {
    if (wanted.has(p)) continue;
    const disk = readIfExists(path.join(outDir, p));
    if (disk === undefined) continue;
    if (sha256(disk) !== hash) edited.push({path: p, onDisk: disk, generated: ''});
    stale.push(p);
  }
  return {changed, unchanged, stale, edited};
}

export async function writeArtifacts(outDir: string, artifacts: Artifact[], opts: {force: boolean}): Promise<WriteResult> {
  for (const a of artifacts) {
    const norm = path.posix.normalize(a.path);
    if (norm.startsWith('..') || path.posix.isAbsolute(norm)) throw new InternalError(`artifact path escapes the output folder: ${a.path}`);
  }
  const {changed, unchanged, stale, edited} = compareWithDisk(outDir, artifacts);
  if (edited.length && !opts.force) {
    const {createTwoFilesPatch} = await import('diff');
    const shown = edited
      .map((e) => createTwoFilesPatch(`${e.path} (generated)`, `${e.path} (on disk)`, e.generated, e.onDisk, '', '', {context: 2}))
      .join('\n');
    throw new ExitError(
      1,
      `refusing to overwrite ${edited.length} generated file(s) edited by hand:\n${edited.map((e) => `  ${path.join(outDir, e.path)}`).join('\n')}\n\n${shown}\nMove the change into x-hardcompose in the compose file and regenerate, or rerun with --force to discard it.`,
    );
  }
  // The lock goes last: until it is renamed into place, a crash leaves the old lock, and the
  // next run sees the new files as edits to review rather than trusting a half-written state.
  const ordered = [...changed.filter((a) => a.kind !== 'lock'), ...changed.filter((a) => a.kind === 'lock')];
  for (const a of ordered) atomicWrite(path.join(outDir, a.path), a.content);
  for (const p of stale) rmSync(path.join(outDir, p), {force: true});
  return {written: ordered.map((a) => a.path), unchanged, removed: stale};
}

export function atomicWrite(file: string, content: string): void {
  mkdirSync(path.dirname(file), {recursive: true});
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, content, {encoding: 'utf8', mode: 0o644});
    renameSync(tmp, file);
  } finally {
    if (existsSync(tmp)) rmSync(tmp, {force: true});
  }
}
