/** Throwaway compose projects for table tests: files written to a fresh temp folder, then loaded. */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {type LoadOptions, loadProject} from '../../src/compose/load.js';
import type {ComposeProject} from '../../src/compose/model.js';

const made: string[] = [];

/** Writes `files` (relative path → text) under a new temp folder and returns its path. */
export function writeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hardcompose-table-'));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), {recursive: true});
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Loads a throwaway project: cwd is its folder, HOME is /home/test, no other variables unless given. */
export function loadFiles(files: Record<string, string>, opts: Partial<LoadOptions> = {}): ComposeProject {
  const dir = writeProject(files);
  return loadProject({files: [], envFiles: [], profiles: [], ...opts, cwd: dir, env: {HOME: '/home/test', ...(opts.env ?? {})}});
}

/** Removes every folder made by this module (call from test.after). */
export function cleanProjects(): void {
  for (const d of made.splice(0)) rmSync(d, {recursive: true, force: true});
}
