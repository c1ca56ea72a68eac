/**
 * Writing artifacts to the output folder: atomic (temp file + rename), only files whose
 * content changed, stale outputs of removed services deleted, and hand edits detected
 * against the lock and refused unless forced. Everything is checked before anything is
 * written, so a refusal leaves the folder as it was; a failure while writing (a full disk, a
 * target that is a directory) puts back every file already replaced, so it does too. A folder
 * that does not exist yet is written whole beside it and renamed into place.
 */
import {copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {ExitError, InternalError, UserError} from '../errors.js';
import type {Artifact} from '../plan/types.js';
import {compareOutputs} from './compare.js';
import {FolderListing} from './listing.js';

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

/** Compares artifacts with the folder; pure apart from reading. See src/output/compare.ts. */
export function compareWithDisk(outDir: string, artifacts: Artifact[]) {
  const cmp = compareOutputs(outDir, artifacts);
  const byPath = new Map(artifacts.map((a) => [a.path, a]));
  const position = new Map(artifacts.map((a, i) => [a, i]));
  const changed: Artifact[] = [];
  const unchanged: string[] = [];
  const stale: string[] = [];
  const edited: Edited[] = [];
  for (const f of cmp.files) {
    if (f.status === 'unchanged') unchanged.push(f.path);
    else if (f.status === 'removed') stale.push(f.path);
    else changed.push(byPath.get(f.path)!);
    if (f.handEdited) edited.push({path: f.path, onDisk: f.onDisk ?? '', generated: f.generated ?? ''});
  }
  // Keep the artifacts' own order (the lock last).
  changed.sort((a, b) => position.get(a)! - position.get(b)!);
  return {changed, unchanged, stale, edited};
}

export async function writeArtifacts(outDir: string, artifacts: Artifact[], opts: {force: boolean}): Promise<WriteResult> {
  for (const a of artifacts) {
    // Without a `..` in it, a relative path cannot normalise to one.
    if (!a.path.startsWith('/') && !a.path.includes('..')) continue;
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
  const writes = ordered.map((a) => ({path: a.path, content: a.content}));
  if (writes.length > 0 && stale.length === 0 && !exists(outDir)) createFolder(outDir, writes);
  else commit(outDir, writes, stale);
  return {written: ordered.map((a) => a.path), unchanged, removed: stale};
}

/** Anything at all is there, even a dangling symlink. */
function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * A new output folder appears whole: every file is written into a hidden sibling folder, which
 * is then renamed to the output folder (one rename, where commit() renames every file). On a
 * failure the sibling and any parent folder made for it are removed: nothing was there, nothing
 * is left.
 */
function createFolder(outDir: string, writes: Array<{path: string; content: string}>): void {
  const parent = path.dirname(outDir);
  const staging = path.join(parent, `.${path.basename(outDir)}.${process.pid}.new`);
  let createdParent: string | undefined;
  let current = outDir;
  try {
    createdParent = mkdirSync(parent, {recursive: true});
    // A leftover of a run that crashed with this process id is ours to replace.
    rmSync(staging, {recursive: true, force: true});
    mkdirSync(staging);
    const dirs = new Set<string>(['']);
    for (const w of writes) {
      current = path.join(outDir, w.path);
      // Artifact paths are relative POSIX paths inside the folder (checked by writeArtifacts).
      const slash = w.path.lastIndexOf('/');
      const dir = slash < 0 ? '' : w.path.slice(0, slash);
      if (!dirs.has(dir)) {
        mkdirSync(`${staging}/${dir}`, {recursive: true});
        dirs.add(dir);
      }
      writeFileSync(`${staging}/${w.path}`, w.content, {encoding: 'utf8', mode: 0o644});
    }
    current = outDir;
    renameSync(staging, outDir);
  } catch (err) {
    rmSync(staging, {recursive: true, force: true});
    if (createdParent) rmSync(createdParent, {recursive: true, force: true});
    const why = err instanceof Error ? err.message : String(err);
    throw new UserError('E_OUTPUT_WRITE', `cannot write ${current}: ${why}`, {file: current}, 'nothing in the output folder was changed; fix the cause (a directory in the way, permissions, disk space) and run again');
  }
}

interface Step {
  file: string;
  /** Hard link to the previous content, when there was a file. */
  backup?: string;
  /** True once the new content (or the removal) is in place. */
  done: boolean;
}

const tmpName = (file: string, tag: string) => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${tag}`);

/**
 * Writes and removes as one unit, as far as a file system allows: every new content goes to a
 * temp file first; every file about to be replaced or removed keeps a hard link to its old
 * content; then the renames run, and when one fails the files already replaced are put back,
 * the new ones deleted, and a UserError names the file. No temp file or backup is left behind.
 *
 * System calls per written file, for a thousand profiles (issue #8): one open-write-close of the
 * temp file and one rename. Folders are checked once each, and whether a target exists (so needs
 * a backup) comes from one listing of its folder; only a name that is there is looked at closer.
 */
function commit(outDir: string, writes: Array<{path: string; content: string}>, removals: string[]): void {
  const steps: Step[] = [];
  const temps: string[] = [];
  const createdDirs: string[] = [];
  const knownDirs = new Set<string>();
  let current = '';
  try {
    for (const w of writes) {
      current = path.join(outDir, w.path);
      const dir = path.dirname(current);
      if (!knownDirs.has(dir)) {
        if (!existsSync(dir)) {
          const first = mkdirSync(dir, {recursive: true});
          if (first) createdDirs.push(first);
        }
        knownDirs.add(dir);
      }
      const tmp = tmpName(current, 'tmp');
      temps.push(tmp);
      writeFileSync(tmp, w.content, {encoding: 'utf8', mode: 0o644});
    }
    // Listed after the temp files exist, right before the backups: what is there now is what
    // the renames replace.
    const listing = new FolderListing();
    for (const file of [...writes.map((w) => path.join(outDir, w.path)), ...removals.map((p) => path.join(outDir, p))]) {
      current = file;
      const step: Step = {file, done: false};
      if (listing.mayExist(file) && existsNotDir(file)) {
        step.backup = tmpName(file, 'bak');
        try {
          linkSync(file, step.backup);
        } catch {
          copyFileSync(file, step.backup);
        }
      }
      steps.push(step);
    }
    writes.forEach((w, i) => {
      current = steps[i]!.file;
      renameSync(temps[i]!, current);
      steps[i]!.done = true;
    });
    for (const step of steps.slice(writes.length)) {
      current = step.file;
      rmSync(step.file, {force: true});
      step.done = true;
    }
  } catch (err) {
    for (const step of [...steps].reverse()) {
      if (!step.done) continue;
      try {
        if (step.backup) renameSync(step.backup, step.file);
        else rmSync(step.file, {force: true});
      } catch {
        // Best effort: the message below says what failed; the rest was restored.
      }
    }
    cleanup(temps, steps);
    for (const d of createdDirs.reverse()) rmSync(d, {recursive: true, force: true});
    const why = err instanceof Error ? err.message : String(err);
    throw new UserError('E_OUTPUT_WRITE', `cannot write ${current}: ${why}`, {file: current}, 'nothing in the output folder was changed; fix the cause (a directory in the way, permissions, disk space) and run again');
  }
  cleanup(temps, steps);
}

/** Something other than a directory is there (a file, a symlink): it gets a backup. */
function existsNotDir(file: string): boolean {
  try {
    return !lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Removes the temp files no rename consumed and every backup. */
function cleanup(temps: string[], steps: Step[]): void {
  temps.forEach((t, i) => {
    if (!steps[i]?.done) rmSync(t, {force: true});
  });
  for (const s of steps) if (s.backup) rmSync(s.backup, {force: true});
}

/** Writes one file through a temp file and a rename. */
export function atomicWrite(file: string, content: string): void {
  mkdirSync(path.dirname(file), {recursive: true});
  const tmp = tmpName(file, 'tmp');
  try {
    writeFileSync(tmp, content, {encoding: 'utf8', mode: 0o644});
    renameSync(tmp, file);
  } finally {
    if (existsSync(tmp)) rmSync(tmp, {force: true});
  }
}
