/**
 * Real tools the tests need. Under CI=true a missing tool fails the test (the test command
 * installs them, so a missing one is a setup bug); elsewhere the test says plainly it was skipped.
 */
import {spawnSync} from 'node:child_process';

const cache = new Map<string, boolean>();

export function haveCommand(cmd: string): boolean {
  let ok = cache.get(cmd);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v "$1" >/dev/null 2>&1`, 'sh', cmd]).status === 0;
    cache.set(cmd, ok);
  }
  return ok;
}

/**
 * Returns true when every command is present. When one is missing: throws under CI=true,
 * otherwise prints a SKIP line naming the test and returns false.
 */
export function requireTools(testName: string, ...cmds: string[]): boolean {
  const missing = cmds.filter((c) => !haveCommand(c));
  if (missing.length === 0) return true;
  const msg = `${testName}: needs ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${msg} (missing under CI=true: the test command should have installed it)`);
  console.log(`  SKIP ${msg}`);
  return false;
}
