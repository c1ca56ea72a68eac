/**
 * Helpers for the review-workflow tests (generate / diff / check through the real binary): run
 * `node bin/run.js` with a clean environment, make throw-away projects, and snapshot a folder
 * (content and mtime of every file, hidden ones included) to prove what a command touched.
 */
import {spawnSync} from 'node:child_process';
import {cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {caseEnv, repoRoot} from './compose-real.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `node bin/run.js ARGS` in `cwd`, with the fixed test environment plus `env`. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'bin/run.js'), ...args], {
    cwd,
    env: {...caseEnv({}), ...env},
    encoding: 'utf8',
    timeout: 120_000,
  });
  return {status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? ''};
}

/** A fresh folder below the system temp dir holding `files` (relative path → content). */
export function tempProject(files: Record<string, string>, prefix = 'hc-review-'): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), prefix)), 'project');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), {recursive: true});
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

/** A copy of `dir` in a fresh temp folder (same base name). */
export function copyTo(dir: string, prefix = 'hc-copy-'): string {
  const dst = path.join(mkdtempSync(path.join(os.tmpdir(), prefix)), path.basename(dir));
  cpSync(dir, dst, {recursive: true});
  return dst;
}

export interface Entry {
  content: string;
  mtimeMs: number;
}

/** Every file below `dir` (hidden ones too), relative POSIX path → content and mtime. */
export function snapshot(dir: string, prefix = ''): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) for (const [k, v] of snapshot(p, `${prefix}${name}/`)) out.set(k, v);
    else out.set(`${prefix}${name}`, {content: readFileSync(p, 'utf8'), mtimeMs: st.mtimeMs});
  }
  return out;
}

/**
 * writeArtifacts into `out` with two artifacts that cannot both exist (`x/f` as a file and
 * `x/f/g` below it): the rename of the second fails after the folders were created. Returns
 * what it threw.
 */
export async function conflictingWrite(out: string): Promise<unknown> {
  const {writeArtifacts} = await import('../../src/output/write.js');
  try {
    await writeArtifacts(out, [
      {path: 'x/f', content: 'one\n', kind: 'apparmor'},
      {path: 'x/f/g', content: 'two\n', kind: 'apparmor'},
    ], {force: false});
  } catch (e) {
    return e;
  }
  return undefined;
}
