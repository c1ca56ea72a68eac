/**
 * `hardcompose check`: the CI gate. Passes only when the output folder is exactly what generate
 * would write from the current inputs and, where the tools exist, the policies compile and the
 * overlay merges. A check whose tool is missing is reported as "not checked", never as passed.
 */
import path from 'node:path';
import type {OutputComparison} from '../output/compare.js';
import {buildAndCompare, type ComparedBuild, type DiffOptions} from './diff.js';

export type CheckOptions = DiffOptions & {
  /** Policy root for the SELinux link, as `semodule -p` (default `/`). */
  selinuxRoot?: string;
};

export interface CheckItem {
  /** Stable id: `up-to-date`, `apparmor_parser`, `secilc`, `compose-config`. */
  id: string;
  status: 'pass' | 'fail' | 'skip';
  /** One line: what was checked and how it went. */
  summary: string;
  /** What failed, one line each (empty when it passed). */
  problems: string[];
}

export interface CheckResult {
  ok: boolean;
  project: string;
  backend: string;
  level: string;
  mode: string;
  /** Output folder relative to the project directory. */
  out: string;
  checks: CheckItem[];
  notes: string[];
  warnings: string[];
}

const MAX_SUMMARY_LINES = 40;

export async function runCheck(opts: CheckOptions): Promise<CheckResult> {
  const cb = await buildAndCompare(opts);
  const checks: CheckItem[] = [await upToDate(cb)];
  if (cb.plan.backend === 'apparmor') checks.push(await apparmorCompiles(cb));
  else checks.push(await selinuxLinks(cb, opts));
  checks.push(await overlayMerges(cb, opts));
  return {
    ok: checks.every((c) => c.status !== 'fail'),
    project: cb.plan.project,
    backend: cb.plan.backend,
    level: cb.plan.level,
    mode: cb.plan.mode,
    out: cb.outRel,
    checks,
    notes: cb.notes,
    warnings: cb.project.warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Up to date

async function upToDate(cb: ComparedBuild): Promise<CheckItem> {
  const {semanticChanges, formatChange, lockChanges} = await import('../output/semantic.js');
  const cmp = cb.comparison;
  const inputs = cb.plan.inputs.join(', ');
  const problems: string[] = [];
  const lockFile = cmp.files.find((f) => f.kind === 'lock');
  if (lockFile?.onDisk !== undefined && lockFile.status !== 'unchanged') {
    for (const c of lockChanges(lockFile.onDisk, lockFile.generated)) problems.push(c.words);
  }
  for (const f of cmp.files) {
    if (f.status === 'unchanged') continue;
    let why: string;
    if (f.handEdited) why = 'edited by hand (its sha256 no longer matches lock.json)';
    else if (f.status === 'added') why = 'missing';
    else if (f.status === 'removed') why = 'no longer generated (its service was removed, skipped or pinned)';
    else why = 'out of date';
    problems.push(`${f.path}: ${why}`);
  }
  for (const p of cmp.unknown) problems.push(`${p}: not written by hardcompose (not in lock.json); remove it or move it out of ${cb.outRel}/`);
  if (problems.length === 0) {
    return {id: 'up-to-date', status: 'pass', summary: `up to date with ${inputs} (${cmp.files.length} files)`, problems};
  }
  const changes = semanticChanges(cmp.files).filter((c) => c.service !== '');
  if (changes.length) {
    problems.push('what generate would change:');
    for (const c of changes.slice(0, MAX_SUMMARY_LINES)) problems.push(`  ${formatChange(c)}`);
    if (changes.length > MAX_SUMMARY_LINES) problems.push(`  … and ${changes.length - MAX_SUMMARY_LINES} more (hardcompose diff)`);
  }
  const n = cmp.files.filter((f) => f.status !== 'unchanged').length + cmp.unknown.length;
  return {id: 'up-to-date', status: 'fail', summary: `not up to date with ${inputs}: ${n} file(s) differ from what generate would write`, problems};
}

// ---------------------------------------------------------------------------------------------
// Policies compile

/** Policy files on disk that this run generates or that the lock still lists, under `dir/`. */
function policyFilesOnDisk(cmp: OutputComparison, dir: string): string[] {
  return cmp.files.filter((f) => f.path.startsWith(`${dir}/`) && f.onDisk !== undefined).map((f) => f.path);
}

async function apparmorCompiles(cb: ComparedBuild): Promise<CheckItem> {
  const id = 'apparmor_parser';
  const files = policyFilesOnDisk(cb.comparison, 'apparmor');
  if (files.length === 0) return {id, status: 'skip', summary: 'not checked: apparmor_parser (no profile on disk)', problems: []};
  const {findExecutable} = await import('../host/validate.js');
  const parser = findExecutable('apparmor_parser');
  if (!parser) return {id, status: 'skip', summary: 'not checked: apparmor_parser not found (Debian: apt-get install apparmor)', problems: []};
  const {compileProfiles, listProfileNames, FEATURES_FILE} = await import('../host/apparmor.js');
  const abs = (p: string) => path.join(cb.outDir, p);
  const res = compileProfiles(files.map(abs), {parser});
  const problems: string[] = [];
  for (const r of res.results) {
    if (r.ok) continue;
    const rel = path.relative(cb.outDir, r.file).split(path.sep).join('/');
    problems.push(`${rel}: does not compile:`, ...firstLines(r.stderr, 6).map((l) => `  ${l}`));
  }
  for (const f of files) {
    const names = listProfileNames(abs(f), {parser});
    const want = path.posix.basename(f);
    if (names.ok && (names.names.length !== 1 || names.names[0] !== want)) {
      problems.push(`${f}: defines ${names.names.length ? names.names.join(', ') : 'no profile'}, expected exactly ${want}`);
    }
  }
  if (problems.length) return {id, status: 'fail', summary: `apparmor_parser: ${files.length} profile(s), some do not compile or define other names`, problems};
  return {id, status: 'pass', summary: `apparmor_parser: ${files.length} profile(s) compile against ${FEATURES_FILE}, each defines exactly its own name`, problems};
}

function firstLines(text: string, n: number): string[] {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  return lines.length > n ? [...lines.slice(0, n), '…'] : lines;
}

async function selinuxLinks(cb: ComparedBuild, opts: CheckOptions): Promise<CheckItem> {
  const id = 'secilc';
  const files = policyFilesOnDisk(cb.comparison, 'selinux').filter((f) => f.endsWith('.cil'));
  if (files.length === 0) return {id, status: 'skip', summary: 'not checked: secilc (no SELinux module on disk)', problems: []};
  const {linkSelinuxModules} = await import('../host/validate.js');
  const r = await linkSelinuxModules({files: files.map((f) => path.join(cb.outDir, f)), root: opts.selinuxRoot === undefined ? undefined : path.resolve(opts.load.cwd, opts.selinuxRoot), env: opts.load.env});
  if (r.status === 'missing') return {id, status: 'skip', summary: `not checked: secilc link of ${files.length} CIL file(s): ${r.message}`, problems: []};
  if (r.status === 'failed') {
    return {id, status: 'fail', summary: `secilc: the modules do not link with the policy at ${r.storeDir}`, problems: firstLines(r.message, 20)};
  }
  return {id, status: 'pass', summary: `secilc: ${files.length} CIL file(s) link with the ${r.modules} modules of the policy at ${r.storeDir}`, problems: []};
}

// ---------------------------------------------------------------------------------------------
// Overlay merges

async function overlayMerges(cb: ComparedBuild, opts: CheckOptions): Promise<CheckItem> {
  const id = 'compose-config';
  const overlay = cb.comparison.files.find((f) => f.kind === 'overlay');
  if (!overlay || overlay.onDisk === undefined) {
    return {id, status: 'fail', summary: 'docker compose config: no overlay.yml on disk to merge', problems: [`${overlay?.path ?? 'overlay.yml'}: missing`]};
  }
  if (cb.project.files.some((f) => f.absolute === '-')) {
    return {id, status: 'skip', summary: 'not checked: docker compose config (the compose file came from standard input)', problems: []};
  }
  const {composeConfig} = await import('../host/validate.js');
  const {overlayItems} = await import('../output/semantic.js');
  const load = opts.load;
  const r = await composeConfig({
    files: [...cb.project.files.map((f) => f.absolute), path.join(cb.outDir, overlay.path)],
    projectName: cb.project.name,
    projectDirectory: cb.project.workingDir,
    envFiles: load.envFiles.map((f) => path.resolve(load.cwd, f)),
    profiles: load.profiles,
    env: {...load.env},
  });
  if (r.status === 'missing') return {id, status: 'skip', summary: `not checked: docker compose config (${r.message})`, problems: []};
  if (r.status === 'failed') {
    return {id, status: 'fail', summary: `docker compose config rejects the project with ${overlay.path}`, problems: firstLines(r.message, 12)};
  }
  const services = (r.model.services ?? {}) as Record<string, {security_opt?: unknown; cap_add?: unknown; cap_drop?: unknown}>;
  const problems: string[] = [];
  let applied = 0;
  for (const [svc, items] of overlayItems(overlay.onDisk)) {
    const s = services[svc];
    for (const it of items) {
      const m = /^(security_opt|cap_add|cap_drop) (.*)$/.exec(it.text);
      if (!m) continue;
      if (!s) {
        problems.push(`${svc}: in ${overlay.path} but not a service of the merged project`);
        break;
      }
      const list = Array.isArray(s[m[1] as 'security_opt']) ? (s[m[1] as 'security_opt'] as unknown[]).map(String) : [];
      const count = list.filter((v) => v === m[2]).length;
      if (m[1] === 'security_opt' && count !== 1) problems.push(`${svc}: security_opt ${m[2]} appears ${count} times after the merge, expected once`);
      else if (count === 0) problems.push(`${svc}: ${m[1]} ${m[2]} missing after the merge`);
      else if (m[1] === 'security_opt') applied++;
    }
  }
  if (problems.length) return {id, status: 'fail', summary: `docker compose config: ${overlay.path} does not merge as generated`, problems};
  return {id, status: 'pass', summary: `docker compose config: ${overlay.path} merges with ${cb.project.files.map((f) => f.relative).join(', ')} (${applied} security_opt entries applied once each)`, problems};
}

// ---------------------------------------------------------------------------------------------
// Text output

/** ✓/✗ on a UTF-8 locale (or none set), ASCII otherwise. */
export function useUnicode(env: Record<string, string | undefined>): boolean {
  if (env.TERM === 'dumb') return false;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG;
  return !locale || /utf-?8/i.test(locale);
}

export function formatCheck(res: CheckResult, opts: {unicode: boolean}): string {
  const mark = opts.unicode ? {pass: '✓', fail: '✗', skip: '-'} : {pass: '[ok]', fail: '[FAIL]', skip: '[skip]'};
  const out: string[] = [`hardcompose check: project ${res.project}, backend ${res.backend}, level ${res.level}, mode ${res.mode}, ${res.out}/`];
  for (const c of res.checks) {
    out.push(`${mark[c.status]} ${c.summary}`);
    for (const p of c.problems) out.push(`    ${p}`);
  }
  for (const n of res.notes) out.push(`note: ${n}`);
  const failed = res.checks.filter((c) => c.status === 'fail');
  if (failed.length === 0) {
    const skipped = res.checks.filter((c) => c.status === 'skip').length;
    out.push(`ok: ${res.out}/ is up to date${skipped ? ` (${skipped} check(s) not run: see above)` : ' and valid'}`);
  } else {
    const stale = failed.some((c) => c.id === 'up-to-date');
    out.push(
      `FAILED: ${failed.map((c) => c.id).join(', ')}.${stale ? ` Review with \`hardcompose diff\`, run \`hardcompose generate\` and commit ${res.out}/.` : ''}`,
    );
  }
  return `${out.join('\n')}\n`;
}
