/**
 * `hardcompose generate` without oclif's start-up (issue #8: loading oclif, its configuration
 * and the command classes is about 70 ms of CPU on every run, a sixth of generating 1000
 * services). bin/run.js calls `fastGenerate`; the oclif command (src/commands/generate.ts) and
 * this path share `printGenerate`, so what runs and what is printed is one piece of code.
 *
 * The fast path accepts only argv it can parse exactly as oclif would: every token a flag of
 * `generate` as listed in oclif.manifest.json (`--name value`, `--name=value`, `-c value`, a
 * boolean `--name`), values that are not empty and do not start with `-`, an option flag given
 * once (unless repeatable), values within the flag's options. Anything else — help, `--`, an
 * argument, an unknown or misspelt flag, a bad value, a debugging environment — returns
 * undefined and bin/run.js hands the same argv to oclif, which parses it, prints its help or its
 * usage error exactly as before. test/cli-generate-fast.test.ts checks the parse against oclif's
 * own parser and the printed results against the oclif path.
 *
 * Imports nothing heavy at module level: declining costs a JSON read.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {ComposeFlagValues, PolicyFlagValues} from './base.js';
import {reportError} from './report-error.js';

export interface GenerateFlagValues extends ComposeFlagValues, PolicyFlagValues {
  force: boolean;
  json: boolean;
}

/** A flag of oclif.manifest.json (the fields the fast path reads or must not see). */
interface ManifestFlag {
  name: string;
  type: string;
  char?: string;
  multiple?: boolean;
  options?: string[];
  default?: unknown;
  allowNo?: boolean;
  [other: string]: unknown;
}

/**
 * Flag features the fast path does not implement: a flag using one makes it decline. (oclif
 * fills them from the flag definition; absent or empty means unused.)
 */
const UNSUPPORTED = ['aliases', 'charAliases', 'dependsOn', 'exclusive', 'exactlyOne', 'relationships', 'env', 'required', 'delimiter', 'allowStdin', 'allowNo', 'deprecated', 'deprecateAliases', 'hasDynamicHelp'];

/** Environment that changes what oclif prints (debug output, warnings): such runs go through oclif. */
function debugEnvironment(env: NodeJS.ProcessEnv): boolean {
  if (env.DEBUG || env.CLI_FLAGS_DEBUG || env.HARDCOMPOSE_DEBUG || env.HARDCOMPOSE_REDIRECTED) return true;
  if (env.NODE_ENV === 'development') return true;
  return Object.keys(env).some((k) => k.startsWith('OCLIF_'));
}

/**
 * argv after `generate` → the flags oclif's parser returns for it, or undefined when the argv is
 * anything but the plain cases above. Booleans of generate default to false, option flags to
 * the manifest's default (a flag without one is left out, as oclif leaves it out).
 */
export function parseGenerateArgv(argv: readonly string[], flags: Record<string, ManifestFlag>): GenerateFlagValues | undefined {
  const defs = Object.values(flags);
  for (const f of defs) {
    if (f.type !== 'option' && f.type !== 'boolean') return undefined;
    for (const k of UNSUPPORTED) {
      const v = f[k];
      if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) return undefined;
    }
  }
  const byChar = new Map(defs.filter((f) => typeof f.char === 'string').map((f) => [f.char as string, f]));
  const given = new Map<string, string[] | string | true>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    let flag: ManifestFlag | undefined;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      flag = Object.hasOwn(flags, name) ? flags[name] : undefined;
      if (eq >= 0) inline = token.slice(eq + 1);
    } else if (token.length === 2 && token[0] === '-') {
      flag = byChar.get(token[1]);
    }
    // An argument, `--`, `-h`, `--help`, `-fvalue`, an unknown flag: oclif's to judge.
    if (!flag) return undefined;
    if (flag.type === 'boolean') {
      if (inline !== undefined || given.has(flag.name)) return undefined;
      given.set(flag.name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (flag.options && !flag.options.includes(value)) return undefined;
    const before = given.get(flag.name);
    if (flag.multiple) given.set(flag.name, [...((before as string[] | undefined) ?? []), value]);
    else if (before !== undefined) return undefined;
    else given.set(flag.name, value);
  }
  const out: Record<string, unknown> = {};
  for (const f of defs) {
    const v = given.get(f.name) ?? (f.type === 'boolean' ? false : f.default);
    if (v !== undefined) out[f.name] = Array.isArray(v) ? [...v] : v;
  }
  return out as unknown as GenerateFlagValues;
}

/** The flags of `generate` in oclif.manifest.json (built by npm run build), or undefined. */
function manifestFlags(): Record<string, ManifestFlag> | undefined {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../../oclif.manifest.json', import.meta.url), 'utf8'));
    const cmd = manifest?.commands?.generate;
    if (!cmd || cmd.strict === false || Object.keys(cmd.args ?? {}).length > 0) return undefined;
    return cmd.flags;
  } catch {
    return undefined;
  }
}

/**
 * Entry for bin/run.js: runs `generate` and returns its exit code, or undefined (nothing done,
 * nothing printed) when oclif must handle this argv.
 */
export async function fastGenerate(argv: readonly string[]): Promise<number | undefined> {
  if (debugEnvironment(process.env)) return undefined;
  const flags = manifestFlags();
  const parsed = flags && parseGenerateArgv(argv, flags);
  if (!parsed) return undefined;
  try {
    await printGenerate(parsed);
    return 0;
  } catch (e) {
    // As BaseCommand.catch does for the oclif command.
    const {text, exitCode} = reportError(e as Error, 'generate');
    if (text) process.stderr.write(text);
    return exitCode;
  }
}

/** Runs generate with parsed flags and prints its report (stdout) and warnings (stderr). */
export async function printGenerate(flags: GenerateFlagValues): Promise<void> {
  const {generateOptionsFromFlags} = await import('../core/context.js');
  const {runGenerate} = await import('../core/generate.js');
  const {planJson, findingsBySeverity} = await import('../core/report.js');
  const res = await runGenerate(generateOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({...planJson(res.plan), outDir: res.outDir, written: res.written, unchanged: res.unchanged, removed: res.removed, warnings: res.project.warnings}, null, 2)}\n`);
    return;
  }
  for (const w of res.project.warnings) process.stderr.write(`warning: ${w}\n`);
  // One path.relative for the folder, not one per file (a thousand lines for a thousand
  // services); the general form when the current folder is inside the output folder.
  const cwd = process.cwd();
  const outRel = path.relative(cwd, res.outDir);
  const rel =
    outRel === '..' || outRel.startsWith(`..${path.sep}`) || path.isAbsolute(outRel)
      ? (p: string) => path.relative(cwd, path.join(res.outDir, p)) || '.'
      : (p: string) => (outRel ? `${outRel}${path.sep}${p.split('/').join(path.sep)}` : p.split('/').join(path.sep));
  const out: string[] = [`project ${res.plan.project}: backend ${res.plan.backend} (${res.backendFrom}), level ${res.plan.level}, mode ${res.plan.mode}`];
  for (const p of res.written) out.push(`  wrote     ${rel(p)}`);
  for (const p of res.removed) out.push(`  removed   ${rel(p)}`);
  if (res.unchanged.length) out.push(`  unchanged ${res.unchanged.length} file(s)`);
  const findings = findingsBySeverity(res.plan);
  if (findings.length) out.push('findings:', ...findings.map((l) => `  ${l}`));
  process.stdout.write(`${out.join('\n')}\n`);
}
