/**
 * `hardcompose diff`: what `generate` would change in the output folder, as a unified diff per
 * file and a semantic summary per service. Writes nothing.
 */
import path from 'node:path';
import type {FileDelta, OutputComparison} from '../output/compare.js';
import type {SemanticChange} from '../output/semantic.js';
import type {LockFile} from '../render/lock.js';
import {buildArtifacts, type BuildResult, type GenerateOptions} from './generate.js';

export type DiffOptions = Omit<GenerateOptions, 'force'> & {force?: boolean};

export interface ComparedBuild extends BuildResult {
  comparison: OutputComparison;
  /** How the backend was chosen, including `lock` (see {@link buildAndCompare}). */
  backendSource: BuildResult['backendFrom'] | 'lock';
  /** The output folder relative to the project directory, POSIX (`hardcompose`). */
  outRel: string;
  /** Things the user should know about how this run was set up. */
  notes: string[];
}

/**
 * Builds the artifacts and compares them with the output folder. When neither `--backend` nor
 * `x-hardcompose.backend` chooses the backend, the lock's backend is used rather than this
 * host's: host detection differs between a developer's machine and CI, the lock does not.
 */
export async function buildAndCompare(opts: DiffOptions): Promise<ComparedBuild> {
  const {compareOutputs, readLock} = await import('../output/compare.js');
  const gen: GenerateOptions = {...opts, force: opts.force ?? false};
  let built = await buildArtifacts(gen);
  let lock = readLock(built.outDir);
  let backendSource: ComparedBuild['backendSource'] = built.backendFrom;
  const notes: string[] = [];
  if (built.backendFrom === 'host' && lock && (lock.backend === 'apparmor' || lock.backend === 'selinux') && lock.backend !== built.plan.backend) {
    built = await buildArtifacts({...gen, backend: lock.backend});
    lock = readLock(built.outDir);
    backendSource = 'lock';
    notes.push(`backend ${lock?.backend} as recorded in the lock (this host would choose ${lock?.backend === 'apparmor' ? 'selinux' : 'apparmor'}; set x-hardcompose.backend to make it explicit)`);
  }
  if (lock) notes.push(...flagNotes(lock, built, opts));
  const comparison = compareOutputs(built.outDir, built.artifacts);
  const outRel = path.relative(built.project.workingDir, built.outDir).split(path.sep).join('/') || '.';
  return {...built, comparison, backendSource, outRel, notes};
}

/** A level or mode that differs from the lock's hints at flags given to generate and not here. */
function flagNotes(lock: LockFile, built: BuildResult, opts: DiffOptions): string[] {
  const notes: string[] = [];
  if (!opts.level && lock.level !== built.plan.level) {
    notes.push(`lock.json was generated at level ${lock.level}, this run computes ${built.plan.level}: if generate ran with --level ${lock.level}, pass it here too (or set x-hardcompose.level)`);
  }
  if (!opts.mode && lock.mode !== built.plan.mode) {
    notes.push(`lock.json was generated in mode ${lock.mode}, this run computes ${built.plan.mode}: if generate ran with --mode ${lock.mode}, pass it here too (or set x-hardcompose.mode)`);
  }
  return notes;
}

export interface FilePatch {
  /** Relative to the output folder. */
  path: string;
  status: FileDelta['status'];
  handEdited: boolean;
  /** Unified diff, on disk (`a/`) → generated (`b/`), paths relative to the project directory. */
  patch: string;
}

export interface DiffResult {
  project: string;
  backend: string;
  backendSource: ComparedBuild['backendSource'];
  level: string;
  mode: string;
  /** Output folder relative to the project directory. */
  out: string;
  differs: boolean;
  files: FilePatch[];
  summary: SemanticChange[];
  notes: string[];
  warnings: string[];
}

/** Unified diffs (git style headers) of every file that would change. */
export async function patches(cmp: OutputComparison, outRel: string): Promise<FilePatch[]> {
  const changed = cmp.files.filter((f) => f.status !== 'unchanged');
  if (changed.length === 0) return [];
  const {createTwoFilesPatch, FILE_HEADERS_ONLY} = await import('diff');
  const shown = (p: string) => (outRel === '.' ? p : `${outRel}/${p}`);
  return changed.map((f) => {
    const from = f.onDisk === undefined ? '/dev/null' : `a/${shown(f.path)}`;
    const to = f.generated === undefined ? '/dev/null' : `b/${shown(f.path)}`;
    const patch = createTwoFilesPatch(from, to, f.onDisk ?? '', f.generated ?? '', undefined, undefined, {context: 3, headerOptions: FILE_HEADERS_ONLY});
    return {path: f.path, status: f.status, handEdited: f.handEdited, patch};
  });
}

export async function runDiff(opts: DiffOptions): Promise<DiffResult> {
  const cb = await buildAndCompare(opts);
  const {semanticChanges} = await import('../output/semantic.js');
  const files = await patches(cb.comparison, cb.outRel);
  return {
    project: cb.plan.project,
    backend: cb.plan.backend,
    backendSource: cb.backendSource,
    level: cb.plan.level,
    mode: cb.plan.mode,
    out: cb.outRel,
    differs: !cb.comparison.upToDate,
    files,
    summary: semanticChanges(cb.comparison.files),
    notes: cb.notes,
    warnings: cb.project.warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Text output

const SGR = {reset: '\u001b[0m', bold: '\u001b[1m', red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', cyan: '\u001b[36m'};

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function useColor(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
  return !!isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

function colorPatchLine(line: string): string {
  if (line.startsWith('+++ ') || line.startsWith('--- ')) return `${SGR.bold}${line}${SGR.reset}`;
  if (line.startsWith('@@')) return `${SGR.cyan}${line}${SGR.reset}`;
  if (line.startsWith('+')) return `${SGR.green}${line}${SGR.reset}`;
  if (line.startsWith('-')) return `${SGR.red}${line}${SGR.reset}`;
  return line;
}

function colorChange(line: string, change: SemanticChange['change']): string {
  const c = change === '+' ? SGR.green : change === '-' ? SGR.red : SGR.yellow;
  return `${c}${line}${SGR.reset}`;
}

/** The text `diff` prints: patches, then the summary, then notes. */
export async function formatDiff(res: DiffResult, opts: {color: boolean}): Promise<string> {
  const {formatChange} = await import('../output/semantic.js');
  if (!res.differs) {
    return `${[`${res.out}/ is up to date (project ${res.project}, backend ${res.backend}, level ${res.level}).`, ...res.notes.map((n) => `note: ${n}`)].join('\n')}\n`;
  }
  const out: string[] = [];
  for (const f of res.files) {
    if (f.handEdited) out.push(`# ${res.out}/${f.path} was edited by hand: generate refuses to overwrite it without --force`);
    const lines = f.patch.replace(/\n$/, '').split('\n');
    out.push(...(opts.color ? lines.map(colorPatchLine) : lines));
  }
  out.push('', opts.color ? `${SGR.bold}Summary${SGR.reset}` : 'Summary');
  if (res.summary.length === 0) out.push('  (comments and layout only)');
  for (const c of res.summary) {
    const line = `  ${formatChange(c)}`;
    out.push(opts.color ? colorChange(line, c.change) : line);
  }
  const counts = ['added', 'modified', 'removed'].map((s) => [s, res.files.filter((f) => f.status === s).length] as const).filter(([, n]) => n > 0);
  out.push('', `${counts.map(([s, n]) => `${n} ${s}`).join(', ')} in ${res.out}/; run hardcompose generate to apply.`);
  for (const n of res.notes) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}
