/**
 * `hardcompose learn`: audit logs → per-service allowances with evidence; with `write`, the
 * accepted ones are merged into hardcompose.allow.yml, which the next `generate` reads.
 */
import path from 'node:path';
import {loadProject, type LoadOptions} from '../compose/load.js';
import type {ServiceConfig} from '../compose/model.js';
import {ALLOWANCES_FILE, mergeAllowances, renderAllowances, type Category, type ServiceAllowances} from '../learn/allowances.js';
import {SCRATCH_PATHS} from '../plan/rules/strict-scratch.js';
import {parseLine, type LogRecord} from '../learn/records.js';
import {parseSince, readAllowances, readLog} from '../learn/read.js';
import {type LearnFinding, type Suggestion, suggest, toAllowances} from '../learn/suggest.js';
import {assignBlockNames} from '../render/selinux/names.js';

export interface LearnOptions {
  load: Readonly<LoadOptions>;
  from: string[];
  since?: string;
  write: boolean;
  allowSensitive: boolean;
  now: number;
}

export interface LearnResult {
  project: string;
  suggestions: Suggestion[];
  findings: LearnFinding[];
  counts: {lines: number; records: number; attributed: number; ignored: number; malformed: number; beforeSince: number};
  malformed: Array<{file: string; line: number; reason: string}>;
  written?: {file: string; added: Array<{service: string; category: Category; value: string}>};
}

export async function runLearn(opts: LearnOptions): Promise<LearnResult> {
  const project = loadProject(opts.load);
  const services = Object.keys(project.model.services).sort();
  const since = opts.since ? parseSince(opts.since, opts.now) : undefined;
  const records: LogRecord[] = [];
  const malformed: LearnResult['malformed'] = [];
  let lines = 0;
  let beforeSince = 0;
  const readStdin = opts.load.readStdin ?? (() => '');
  for (const file of opts.from) {
    const text = readLog(file, readStdin);
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line) return;
      lines++;
      const r = parseLine(line, i + 1);
      if (r.kind === 'malformed') malformed.push({file, line: r.lineNo, reason: r.reason});
      else if (r.kind === 'record') {
        if (since !== undefined && r.record.time !== undefined && r.record.time < since) beforeSince++;
        else records.push(r.record);
      }
    });
  }
  const existing = await readAllowances(project.workingDir);
  const writable = writablePaths(project.model.services, existing.file.services);
  const res = suggest(records, {project: project.name, services, blocks: assignBlockNames(project.name, services), allowSensitive: opts.allowSensitive, writable});
  const out: LearnResult = {
    project: project.name,
    suggestions: res.suggestions,
    findings: res.findings,
    counts: {lines, records: records.length, attributed: res.attributed, ignored: res.ignored, malformed: malformed.length, beforeSince},
    malformed,
  };
  if (opts.write && res.suggestions.length) {
    const merged = mergeAllowances(existing.file, toAllowances(res.suggestions));
    const file = path.join(project.workingDir, ALLOWANCES_FILE);
    const {atomicWrite} = await import('../output/write.js');
    atomicWrite(file, await renderAllowances(merged.file));
    out.written = {file, added: merged.added};
  }
  return out;
}

/**
 * Per service, the container paths it may already write: rw volumes and binds, tmpfs, the
 * strict scratch paths, and write allowances learned before. An exec under one of them is not
 * proposed without --allow-sensitive (issue #9: a dropped file must not become runnable).
 */
function writablePaths(services: Record<string, ServiceConfig>, learned: Record<string, ServiceAllowances>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(services)) {
    const paths = [...SCRATCH_PATHS];
    for (const v of svc.volumes ?? []) if (v.target && (v.type === 'tmpfs' || !v.read_only)) paths.push(v.target);
    for (const t of svc.tmpfs ?? []) paths.push(t.split(':')[0]);
    for (const e of learned[name]?.write ?? []) paths.push(e.value);
    out.set(name, paths.map((p) => path.posix.normalize(p)));
  }
  return out;
}
