/**
 * apparmor_parser, run without a kernel: compile-check generated profiles and list the profile
 * names a file defines. The only code in this area that spawns a process; arguments are passed as
 * an array, never through a shell.
 *
 * apparmor_parser(8), checked with 3.0.8:
 * - `-Q` (--skip-kernel-load) does everything but load, `-K` skips the cache, `-T` skips reading
 *   it; together they need neither root nor an AppArmor kernel.
 * - `-M FILE` (--features-file) sets both the kernel and the policy feature set from FILE instead
 *   of /sys/kernel/security/apparmor; /etc/apparmor.d/abi/3.0 is such a file, so compilation is
 *   the same on every host whatever its kernel.
 * - Several files may be given in one run (compiled in parallel, `-j` defaults to the CPU count);
 *   the exit status is non-zero when any fails and the run continues past failures. Syntax
 *   errors name the file, regex errors only the profile, hence the per-file retry below.
 * - With no file the profile is read from standard input (also for `-N`).
 * - `-N` prints one defined profile name per line after parsing (no compilation).
 * - `-D rule-exprs` prints, on stderr, every rule's path as the regex it compiles to. With
 *   several profiles compiled in parallel the dumps interleave mid-line: dump one profile per run.
 * - A single profile with thousands of path rules can fail with "Too many states (…) for type
 *   state_t" (the DFA's 16-bit state index).
 */
import {spawnSync} from 'node:child_process';

export const APPARMOR_PARSER = 'apparmor_parser';
/** The feature set profiles are checked against: the ABI the profiles declare. */
export const FEATURES_FILE = '/etc/apparmor.d/abi/3.0';

export interface ParserOptions {
  /** Executable, default `apparmor_parser` from PATH. */
  parser?: string;
  /** `-M` features file, default /etc/apparmor.d/abi/3.0. */
  featuresFile?: string;
  /** Extra arguments before the file names, e.g. `['-D', 'rule-exprs']`. */
  extraArgs?: string[];
  /** Default 120 s. */
  timeoutMs?: number;
}

/** A profile given as a file on disk or as text (sent on standard input). */
export type ProfileInput = {file: string} | {text: string};

export interface ParserResult {
  ok: boolean;
  /** Exit status; null when the parser could not be started or was killed. */
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], input: string | undefined, opts: ParserOptions): ParserResult {
  const r = spawnSync(opts.parser ?? APPARMOR_PARSER, args, {
    input,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 120_000,
    env: {...process.env, LC_ALL: 'C'},
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `${opts.parser ?? APPARMOR_PARSER} not found (apt-get install apparmor)` : r.error.message;
    return {ok: false, status: null, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${why}\n`};
  }
  return {ok: r.status === 0, status: r.status, stdout: r.stdout, stderr: r.stderr};
}

function compileArgs(opts: ParserOptions): string[] {
  return ['-QKT', '-M', opts.featuresFile ?? FEATURES_FILE, ...(opts.extraArgs ?? [])];
}

/** Compile one profile without loading it: `apparmor_parser -QKT -M /etc/apparmor.d/abi/3.0 FILE`. */
export function compileProfile(input: ProfileInput, opts: ParserOptions = {}): ParserResult {
  if ('file' in input) return run([...compileArgs(opts), '--', input.file], undefined, opts);
  return run(compileArgs(opts), input.text, opts);
}

export interface BatchResult {
  ok: boolean;
  /** Output of the single batch run (stderr holds errors and any `-D` dump). */
  stdout: string;
  stderr: string;
  /** Per file: from the batch when it passed, else from one run per file. */
  results: {file: string; ok: boolean; stderr: string}[];
}

/**
 * Compile many files in one parser run (much faster than one run each: the includes are parsed
 * once per process and profiles compile in parallel). When the run fails, each file is compiled
 * alone so every failure is attributed to its file.
 */
export function compileProfiles(files: string[], opts: ParserOptions = {}): BatchResult {
  if (files.length === 0) return {ok: true, stdout: '', stderr: '', results: []};
  const batch = run([...compileArgs(opts), '--', ...files], undefined, opts);
  if (batch.ok) return {...batch, results: files.map((file) => ({file, ok: true, stderr: ''}))};
  const results = files.map((file) => {
    const r = compileProfile({file}, {...opts, extraArgs: []});
    return {file, ok: r.ok, stderr: r.stderr};
  });
  return {ok: false, stdout: batch.stdout, stderr: batch.stderr, results};
}

export interface NamesResult {
  ok: boolean;
  /** Profile names as the parser printed them (with several files, not necessarily in file order). */
  names: string[];
  stderr: string;
}

/**
 * Profile names defined by a profile file (`apparmor_parser -N FILE`), by several files at once
 * (names of all of them), or by profile text.
 */
export function listProfileNames(input: ProfileInput | string | string[], opts: ParserOptions = {}): NamesResult {
  let r: ParserResult;
  if (typeof input === 'string') r = run(['-N', '--', input], undefined, opts);
  else if (Array.isArray(input)) r = run(['-N', '--', ...input], undefined, opts);
  else if ('file' in input) r = run(['-N', '--', input.file], undefined, opts);
  else r = run(['-N'], input.text, opts);
  const names = r.stdout.split('\n').filter((l) => l !== '');
  return {ok: r.ok, names, stderr: r.stderr};
}

/**
 * What the parser really compiled, from the `-D rule-exprs` dump: every line
 * `aare: <path as written>   ->   <regex>` gives a regex whose metacharacters are escaped with a
 * backslash. `exact` holds the regexes that are plain literals, unescaped back to the path they
 * match; `tree` those that end with the regex of `{,/**}`, minus that suffix. A path whose globs
 * or `@{…}` were not neutralised shows up in neither as itself.
 */
export function compiledLiterals(dump: string): {exact: Set<string>; tree: Set<string>} {
  const exact = new Set<string>();
  const tree = new Set<string>();
  const TREE = '(|/[^\\x00]*)';
  const unescape = (re: string): string => re.replace(/\\(.)/gsu, '$1');
  for (const line of dump.split('\n')) {
    const m = /^aare: .*? {3}-> {3}(.*)$/su.exec(line);
    if (!m) continue;
    if (m[1].endsWith(TREE)) tree.add(unescape(m[1].slice(0, -TREE.length)));
    else exact.add(unescape(m[1]));
  }
  return {exact, tree};
}
