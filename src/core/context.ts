/**
 * Options resolved once into a frozen context; every stage downstream only reads it.
 */
import type {LoadOptions} from '../compose/load.js';
import type {ComposeFlagValues} from '../cli/base.js';

export function loadOptionsFromFlags(flags: ComposeFlagValues, proc: {cwd: string; env: Record<string, string | undefined>}): Readonly<LoadOptions> {
  return Object.freeze({
    files: [...flags.file],
    cwd: proc.cwd,
    env: Object.freeze({...proc.env}),
    projectName: flags['project-name'],
    projectDirectory: flags['project-directory'],
    envFiles: [...flags['env-file']],
    profiles: flags.profile.flatMap((p) => p.split(',')).filter(Boolean),
    readStdin: () => readStdinSync(),
  });
}

function readStdinSync(): string {
  // Lazy: only `-f -` reads stdin.
  return require_fs().readFileSync(0, 'utf8');
}

import {createRequire} from 'node:module';
const require_fs = () => createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

import type {GenerateOptions} from './generate.js';
import type {Backend, Level, Mode} from '../plan/types.js';

export function generateOptionsFromFlags(
  flags: ComposeFlagValues & {backend?: string; level?: string; mode?: string; out: string; 'selinux-relabel': boolean; force?: boolean},
  proc: {cwd: string; env: Record<string, string | undefined>},
): Readonly<GenerateOptions> {
  return Object.freeze({
    load: loadOptionsFromFlags(flags, proc),
    backend: flags.backend as Backend | undefined,
    level: flags.level as Level | undefined,
    mode: flags.mode as Mode | undefined,
    out: flags.out,
    force: flags.force ?? false,
    selinuxRelabel: flags['selinux-relabel'],
  });
}
