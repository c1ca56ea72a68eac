/**
 * What is on disk against what would be generated: the one comparison behind `generate`
 * (which files to write, remove, or refuse to overwrite), `diff` and `check`. Reads only.
 *
 * - A file is `added` when missing on disk, `modified` when its bytes differ, `removed` when the
 *   lock on disk lists it as an output but this run no longer generates it (its service was
 *   removed, skipped or pinned), `unchanged` otherwise.
 * - A file is `handEdited` when it exists and its sha256 no longer matches the one the lock on
 *   disk recorded for it: someone changed generated output by hand.
 * - `unknown` lists files in the policy folders (`apparmor/`, `selinux/`) that neither the lock
 *   nor this run account for; `generate` leaves them alone, `check` reports them.
 */
import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import type {Artifact} from '../plan/types.js';
import {LOCK_PATH, parseLock, sha256, type LockFile} from '../render/lock.js';
import {FolderListing} from './listing.js';

export type FileStatus = 'added' | 'modified' | 'removed' | 'unchanged';

export interface FileDelta {
  /** Relative to the output folder, POSIX separators. */
  path: string;
  /** The kind of the generated artifact; `stale` for a removed file. */
  kind: Artifact['kind'] | 'stale';
  status: FileStatus;
  /** Content on disk; undefined when the file does not exist. */
  onDisk?: string;
  /** Content this run generates; undefined for a removed file. */
  generated?: string;
  /** On disk, listed in the lock, and its hash differs from the lock's: edited by hand. */
  handEdited: boolean;
}

export interface OutputComparison {
  outDir: string;
  /** Every generated file and every stale one, sorted by path. */
  files: FileDelta[];
  /** The lock on disk, when there is a readable one. */
  lock?: LockFile;
  /** Policy-folder files that neither the lock on disk nor this run account for. */
  unknown: string[];
  /** True when no file would be written or removed. */
  upToDate: boolean;
}

/** File content, or undefined when it does not exist or is not a readable file. */
export function readIfFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The parsed `lock.json` of an output folder, if there is one. */
export function readLock(outDir: string): LockFile | undefined {
  return parseLock(readIfFile(path.join(outDir, LOCK_PATH)) ?? '');
}

/** Folders below the output folder that only hardcompose writes to. */
const POLICY_DIRS = ['apparmor', 'selinux'];

function listPolicyFiles(outDir: string, listing: FolderListing): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const entries = listing.folder(path.join(outDir, rel));
    if (typeof entries === 'string') return;
    for (const name of [...entries.keys()].sort()) {
      const p = `${rel}/${name}`;
      const d = entries.get(name)!;
      // The entry's own type answers for files and folders; a symlink (or anything else) is
      // followed, as stat does.
      let isDir = d.isDirectory();
      if (!isDir && !d.isFile()) {
        try {
          isDir = statSync(path.join(outDir, p)).isDirectory();
        } catch {
          continue;
        }
      }
      if (isDir) walk(p);
      else out.push(p);
    }
  };
  for (const d of POLICY_DIRS) walk(d);
  return out;
}

/**
 * A lock entry names a file inside the output folder: relative, normalised, POSIX. The lock is
 * committed and can arrive in a pull request, so anything else (`../x`, `/etc/x`) is ignored
 * rather than read or removed.
 */
export function isOutputPath(p: unknown): p is string {
  return (
    typeof p === 'string' &&
    p !== '' &&
    !/[\\\u0000-\u001f]/.test(p) &&
    !path.posix.isAbsolute(p) &&
    path.posix.normalize(p) === p &&
    !p.startsWith('../') &&
    p !== '..' &&
    p !== '.'
  );
}

const byPath = (a: {path: string}, b: {path: string}) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Compares artifacts with the output folder. */
export function compareOutputs(outDir: string, artifacts: Artifact[]): OutputComparison {
  const lock = readLock(outDir);
  const locked = new Map((lock?.outputs ?? []).filter((o) => isOutputPath(o?.path)).map((o) => [o.path, String(o.sha256)]));
  const edited = (p: string, disk: string | undefined) => disk !== undefined && locked.has(p) && sha256(disk) !== locked.get(p);
  const files: FileDelta[] = [];
  // Files that are certainly absent are not opened: a fresh output folder costs no read at all.
  const listing = new FolderListing();
  const read = (p: string) => {
    const file = path.join(outDir, p);
    return listing.mayExist(file) ? readIfFile(file) : undefined;
  };
  for (const a of artifacts) {
    const onDisk = read(a.path);
    const status: FileStatus = onDisk === undefined ? 'added' : onDisk === a.content ? 'unchanged' : 'modified';
    files.push({path: a.path, kind: a.kind, status, onDisk, generated: a.content, handEdited: status !== 'unchanged' && edited(a.path, onDisk)});
  }
  const wanted = new Set(artifacts.map((a) => a.path));
  for (const p of locked.keys()) {
    if (wanted.has(p)) continue;
    const onDisk = read(p);
    if (onDisk === undefined) continue;
    files.push({path: p, kind: 'stale', status: 'removed', onDisk, handEdited: edited(p, onDisk)});
  }
  files.sort(byPath);
  const unknown = listPolicyFiles(outDir, listing).filter((p) => !wanted.has(p) && !locked.has(p));
  return {outDir, files, lock, unknown, upToDate: files.every((f) => f.status === 'unchanged')};
}
