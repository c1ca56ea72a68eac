/**
 * hardcompose/lock.json: what produced the outputs, so `check` can tell stale from current and
 * `generate` can tell a hand edit from its own output. Interpolated variables are recorded by
 * name only: the lock is committed and values may be secrets, and a value that differs between
 * a laptop and CI (a password with a default) must not make `check` fail. A value that matters
 * changes a policy file, which `check` compares anyway.
 */
import {createHash} from 'node:crypto';
import type {ComposeProject} from '../compose/model.js';
import type {Artifact, SecurityPlan} from '../plan/types.js';

export interface LockFile {
  tool: 'hardcompose';
  version: string;
  project: string;
  backend: string;
  level: string;
  mode: string;
  inputs: Array<{path: string; sha256: string}>;
  /** Names of the variables interpolation read, sorted. */
  environment: string[];
  outputs: Array<{path: string; sha256: string}>;
}

export const LOCK_PATH = 'lock.json';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function renderLock(plan: SecurityPlan, project: ComposeProject, artifacts: Artifact[], extraInputs: Array<{path: string; text: string}> = []): Artifact {
  const lock: LockFile = {
    tool: 'hardcompose',
    version: plan.toolVersion,
    project: plan.project,
    backend: plan.backend,
    level: plan.level,
    mode: plan.mode,
    inputs: [...project.files.map((f) => ({path: f.relative, sha256: f.sha256})), ...extraInputs.map((i) => ({path: i.path, sha256: sha256(i.text)}))],
    environment: Object.keys(project.interpolated).sort(),
    outputs: artifacts
      .filter((a) => a.kind !== 'lock')
      .map((a) => ({path: a.path, sha256: sha256(a.content)}))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
  return {path: LOCK_PATH, content: `${JSON.stringify(lock, null, 2)}\n`, kind: 'lock'};
}

export function parseLock(text: string): LockFile | undefined {
  try {
    const v = JSON.parse(text);
    return v && v.tool === 'hardcompose' && Array.isArray(v.outputs) ? (v as LockFile) : undefined;
  } catch {
    return undefined;
  }
}
