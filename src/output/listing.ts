/**
 * What an output folder holds, read one folder at a time: comparing or writing a thousand
 * profiles costs one readdir of `apparmor/` instead of a thousand failed opens or stats (issue #8:
 * a failed open throws, and an error with its stack costs more than the read it replaces).
 *
 * A listing only answers "certainly absent" when the folder itself was listed; when the folder
 * cannot be listed for another reason (permissions), callers fall back to asking for the file.
 */
import {type Dirent, readdirSync} from 'node:fs';
import path from 'node:path';

/** `absent`: the folder does not exist (or is not a folder); `unknown`: it could not be listed. */
type Folder = Map<string, Dirent> | 'absent' | 'unknown';

export class FolderListing {
  private readonly folders = new Map<string, Folder>();

  /** The entries of `dir` by name, `absent` or `unknown`; read once per listing. */
  folder(dir: string): Folder {
    let f = this.folders.get(dir);
    if (f === undefined) {
      try {
        f = new Map(readdirSync(dir, {withFileTypes: true}).map((d) => [d.name, d]));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        f = code === 'ENOENT' || code === 'ENOTDIR' ? 'absent' : 'unknown';
      }
      this.folders.set(dir, f);
    }
    return f;
  }

  /** False only when `file`'s folder was listed and has no entry of that name. */
  mayExist(file: string): boolean {
    const f = this.folder(path.dirname(file));
    if (f === 'absent') return false;
    return f === 'unknown' || f.has(path.basename(file));
  }
}
