/** Reading learn's inputs: log files (or stdin) and the project's allowance file. */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../errors.js';
import {ALLOWANCES_FILE, type AllowanceFile, emptyAllowances, validateAllowances} from './allowances.js';

export function readLog(file: string, readStdin: () => string): string {
  if (file === '-') return readStdin();
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError('E_FILE', `cannot read log ${file} (${code})`, {file}, code === 'EACCES' ? 'audit logs are often root-only: run with sudo, or copy the log' : 'check the path given with --from');
  }
}

/** The project's allowance file, or an empty one; `exists` tells whether it was on disk. */
export async function readAllowances(projectDir: string): Promise<{file: AllowanceFile; exists: boolean; text?: string}> {
  const p = path.join(projectDir, ALLOWANCES_FILE);
  let text: string;
  try {
    text = readFileSync(p, 'utf8');
  } catch {
    return {file: emptyAllowances(), exists: false};
  }
  const yaml = (await import('js-yaml')).default;
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    const mark = (e as {mark?: {line: number; column: number}}).mark;
    throw new UserError('E_YAML_SYNTAX', `invalid YAML in ${ALLOWANCES_FILE}`, {file: ALLOWANCES_FILE, line: mark ? mark.line + 1 : undefined}, 'fix the file, or delete it and run hardcompose learn --write again');
  }
  return {file: validateAllowances(doc), exists: true, text};
}

/** `--since`: an ISO date/time, seconds since the epoch, or a duration back from now (`30m`, `2h`, `1d`). */
export function parseSince(s: string, now: number): number {
  const d = /^(\d+)([smhd])$/.exec(s);
  if (d) return now / 1000 - Number(d[1]) * {s: 1, m: 60, h: 3600, d: 86400}[d[2] as 's']!;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UserError('E_USAGE', `cannot read --since ${JSON.stringify(s)}`, {}, 'use an ISO time (2026-12-04T10:00), epoch seconds, or a duration such as 30m, 2h, 1d');
  return t / 1000;
}
