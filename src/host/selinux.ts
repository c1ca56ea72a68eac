/**
 * The SELinux tools hardcompose runs: reading the policy's port contexts and file contexts for
 * the renderer, compiling CIL with secilc, querying compiled policies with sesearch/seinfo, and
 * installing modules with semodule. Every command gets an argument array, never a shell.
 *
 * Facts (checked with policycoreutils/secilc 3.4, setools 4.4.1 on Debian bookworm):
 * - `semanage port -l` works without an SELinux kernel (it reads the policy store; root needed);
 *   see src/render/selinux/ports.ts for its format;
 * - `matchpathcon -n PATH…` prints one context (`user:role:type:level`) per path from the policy's
 *   file_contexts, or `<<none>>` for paths the policy leaves unlabelled (e.g. below /tmp);
 * - `secilc -o POLICY -f FC FILE…` compiles CIL files into one binary policy; a failure exits
 *   non-zero with messages such as `Failed to resolve allow statement at FILE:LINE`;
 * - `semodule -p ROOT` runs against another root (ROOT/etc/selinux, ROOT/var/lib/selinux),
 *   `-n` skips the reload, and `-i A.cil B.cil` installs several modules in one transaction (a
 *   block in one may inherit a block in another); each module is named after its file;
 * - `seinfo POLICY --permissive NAME`: the policy must come first, because `--permissive [TYPE]`
 *   would take a following policy path as its TYPE and fall back to the running policy.
 */
import {execFile, spawnSync, type SpawnSyncReturns} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {isAbsolute, join} from 'node:path';
import {UserError} from '../errors.js';
import type {SecurityPlan} from '../plan/types.js';
import {parseSemanagePortList, type PortSource, type PortTypes} from '../render/selinux/ports.js';
import type {SelinuxRenderContext} from '../render/selinux/render.js';
import {DEFAULT_SELINUX_FLAVOR, embeddedPortTable, type SelinuxFlavor} from '../render/selinux/template.js';

const DEFAULT_TIMEOUT_MS = 120_000;

function run(cmd: string, args: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024});
}

function missing(r: SpawnSyncReturns<string>): boolean {
  return (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

export interface PortTypesResult {
  ports: PortTypes;
  source: PortSource;
  /** Why semanage was not used, when it was not. */
  note?: string;
}

/**
 * `semanage port -l` without the semanage command: the same libsemanage calls and the same
 * formatting as its seobject.portRecords.list(), run by the Python that semanage's own `#!` line
 * names. The command first imports seobject, sepolicy and setools and loads the whole policy,
 * about 0.3 s of CPU, for a list libsemanage returns in a few milliseconds (issue #8).
 */
const LIST_PORTS_PY = `import sys
import semanage
h = semanage.semanage_handle_create()
if semanage.semanage_is_managed(h) <= 0 or semanage.semanage_access_check(h) < semanage.SEMANAGE_CAN_READ or semanage.semanage_connect(h) < 0:
    sys.exit(3)
rc, plist = semanage.semanage_port_list(h)
if rc < 0:
    sys.exit(3)
d = {}
for p in plist:
    con = semanage.semanage_port_get_con(p)
    key = (semanage.semanage_context_get_type(con), semanage.semanage_port_get_proto_str(semanage.semanage_port_get_proto(p)))
    low = semanage.semanage_port_get_low(p)
    high = semanage.semanage_port_get_high(p)
    d.setdefault(key, []).append("%d" % low if low == high else "%d-%d" % (low, high))
for k in sorted(d):
    print("%-30s %-8s %s" % (k[0], k[1], ", ".join(d[k])))
`;

/**
 * The entries of `semanage port -l` (without its heading) read through libsemanage directly, or
 * undefined when that is not possible here (no semanage on PATH, not a Python script, no
 * bindings, no store): the caller then runs semanage itself.
 */
export function listPortsDirect(env: NodeJS.ProcessEnv = process.env): string | undefined {
  let script: string | undefined;
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && isAbsolute(dir) && existsSync(join(dir, 'semanage'))) {
      script = join(dir, 'semanage');
      break;
    }
  }
  if (!script) return undefined;
  let first: string;
  try {
    first = readFileSync(script, 'utf8').slice(0, 256).split('\n')[0]!;
  } catch {
    return undefined;
  }
  // `#!/usr/bin/python3 -Es`: the interpreter and its one argument, as the kernel reads them.
  const m = /^#!\s*(\/\S*python3?[\d.]*)(?:\s+(\S+))?\s*$/.exec(first);
  if (!m) return undefined;
  const r = run(m[1]!, [...(m[2] ? [m[2]] : []), '-c', LIST_PORTS_PY]);
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout : undefined;
}

/**
 * The policy's port contexts from `semanage port -l` (read directly through libsemanage when
 * possible, see listPortsDirect), else hardcompose's embedded table for the flavour
 * (templates/selinux/ports-<flavor>.txt).
 */
export function readPortTypes(opts: {flavor?: SelinuxFlavor; semanage?: string} = {}): PortTypesResult {
  const flavor = opts.flavor ?? DEFAULT_SELINUX_FLAVOR;
  const embedded = (note: string): PortTypesResult => ({ports: parseSemanagePortList(embeddedPortTable(flavor)), source: 'embedded', note});
  if (opts.semanage === undefined) {
    const direct = listPortsDirect();
    const ports = direct === undefined ? [] : parseSemanagePortList(direct);
    if (ports.length > 0) return {ports, source: 'semanage'};
  }
  const r = run(opts.semanage ?? 'semanage', ['port', '-l']);
  if (missing(r)) return embedded('semanage not found');
  if (r.status !== 0) return embedded(`semanage port -l failed: ${(r.stderr || String(r.error ?? '')).trim().split('\n')[0]}`);
  const ports = parseSemanagePortList(r.stdout);
  if (ports.length === 0) return embedded('semanage port -l listed no ports');
  return {ports, source: 'semanage'};
}

/**
 * Host path → SELinux type from the policy's file contexts (`matchpathcon -n`). Paths it cannot
 * answer for (no matchpathcon, `<<none>>`, not absolute, control characters) are left out; the
 * renderer then uses its documented default.
 */
export function lookupFileTypes(paths: readonly string[], opts: {matchpathcon?: string} = {}): Map<string, string> {
  const out = new Map<string, string>();
  // A newline would shift matchpathcon's one-line-per-path output.
  const asked = [...new Set(paths)].filter((p) => isAbsolute(p) && !/[\u0000-\u001f\u007f]/.test(p)).sort();
  if (asked.length === 0) return out;
  const r = run(opts.matchpathcon ?? 'matchpathcon', ['-n', ...asked]);
  if (missing(r)) return out;
  const lines = r.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== asked.length) {
    // Some path failed (message on stderr): fall back to one call per path.
    for (const p of asked) {
      const one = run(opts.matchpathcon ?? 'matchpathcon', ['-n', p]);
      const t = contextType(one.status === 0 ? one.stdout.trim() : '');
      if (t) out.set(p, t);
    }
    return out;
  }
  asked.forEach((p, i) => {
    const t = contextType(lines[i]!.trim());
    if (t) out.set(p, t);
  });
  return out;
}

/**
 * Everything {@link renderSelinux} needs from the host for one plan: the port table and the
 * types of every bind source and device node the plan names.
 */
export function selinuxRenderContext(plan: SecurityPlan, opts: {flavor?: SelinuxFlavor} = {}): SelinuxRenderContext & {portNote?: string} {
  const ports = readPortTypes({flavor: opts.flavor});
  const paths = plan.services.flatMap((s) => [...s.files.flatMap((f) => (f.hostPath ? [f.hostPath] : [])), ...s.devices.map((d) => d.hostPath)]);
  const ctx: SelinuxRenderContext & {portNote?: string} = {ports: ports.ports, portSource: ports.source, fileTypes: lookupFileTypes(paths)};
  if (opts.flavor) ctx.flavor = opts.flavor;
  if (ports.note) ctx.portNote = ports.note;
  return ctx;
}

/** `system_u:object_r:httpd_config_t:s0` → `httpd_config_t`; undefined for `<<none>>` and junk. */
export function contextType(context: string): string | undefined {
  const parts = context.split(':');
  if (parts.length < 3) return undefined;
  const t = parts[2]!;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(t) ? t : undefined;
}

export interface SecilcOptions {
  /** Binary policy to write; default: none (`-o /dev/null`, compile check only). */
  output?: string;
  /** `-c` policy version; default secilc's newest. */
  policyVersion?: number;
  secilc?: string;
  timeoutMs?: number;
}

export interface SecilcResult {
  ok: boolean;
  status: number | null;
  stderr: string;
  /** The failure explained: secilc's messages, each `FILE:LINE` followed by that line's text. */
  message: string;
}

/** Runs secilc over `files` (order does not matter to CIL). Never throws for a compile error. */
export function runSecilc(files: readonly string[], opts: SecilcOptions = {}): SecilcResult {
  const args = ['-o', opts.output ?? '/dev/null', '-f', '/dev/null'];
  if (opts.policyVersion !== undefined) args.push('-c', String(opts.policyVersion));
  const r = run(opts.secilc ?? 'secilc', [...args, ...files], opts.timeoutMs);
  if (missing(r)) throw new UserError('E_TOOL_MISSING', 'secilc is not installed', {}, 'install secilc (Debian: apt-get install secilc)');
  const stderr = `${r.stderr ?? ''}${r.stdout ?? ''}`;
  const ok = r.status === 0;
  return {ok, status: r.status, stderr, message: ok ? '' : explainSecilc(stderr || String(r.error ?? 'secilc failed'))};
}

/** Like {@link runSecilc}, but a compile error becomes a UserError carrying the explanation. */
export function compileCil(files: readonly string[], opts: SecilcOptions = {}): void {
  const r = runSecilc(files, opts);
  if (!r.ok) {
    throw new UserError('E_SELINUX_COMPILE', `secilc rejected the policy:\n${r.message}`, {}, 'a type, class or permission the modules name does not exist in this policy');
  }
}

/** Appends the offending source line to every `at FILE:LINE` secilc mentions. */
export function explainSecilc(stderr: string): string {
  const cache = new Map<string, string[]>();
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.trim() === '') continue;
    out.push(`  ${line}`);
    const m = / at (\S+):(\d+)\s*$/.exec(line);
    if (!m) continue;
    let text = cache.get(m[1]!);
    if (text === undefined) {
      try {
        text = readFileSync(m[1]!, 'utf8').split('\n');
      } catch {
        text = [];
      }
      cache.set(m[1]!, text);
    }
    const src = text[Number(m[2]) - 1];
    if (src !== undefined) out.push(`    ${m[2]} | ${src.trim()}`);
  }
  return out.join('\n');
}

export interface SetoolsOptions {
  sesearch?: string;
  seinfo?: string;
  timeoutMs?: number;
}

function setool(cmd: string, args: readonly string[], timeoutMs?: number): string {
  const r = run(cmd, args, timeoutMs);
  if (missing(r)) throw new UserError('E_TOOL_MISSING', `${cmd} is not installed`, {}, 'install setools (Debian: apt-get install setools)');
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || String(r.error ?? '')).trim()}`);
  return r.stdout;
}

export interface AllowQuery {
  source?: string;
  target?: string;
  cls?: string;
  perms?: readonly string[];
}

export interface AllowRuleFound {
  source: string;
  target: string;
  cls: string;
  perms: string[];
  /** The boolean expression of a conditional rule, e.g. `[ allow_ypbind ]:True`. */
  conditional?: string;
}

/**
 * `sesearch -A` with the given criteria; source and target match through attributes (a rule on
 * `port_type` matches target `ssh_port_t`), as sesearch does by default.
 */
export function sesearchAllow(policy: string, q: AllowQuery, opts: SetoolsOptions = {}): AllowRuleFound[] {
  const args = ['-A'];
  if (q.source) args.push('-s', q.source);
  if (q.target) args.push('-t', q.target);
  if (q.cls) args.push('-c', q.cls);
  if (q.perms && q.perms.length > 0) args.push('-p', q.perms.join(','));
  args.push(policy);
  return parseSesearch(setool(opts.sesearch ?? 'sesearch', args, opts.timeoutMs));
}

const RULE = /^allow (\S+) (\S+):(\S+) (?:\{ ([^}]*) \}|(\S+));(?:\s+(\[.*\]:\w+))?\s*$/;

export function parseSesearch(text: string): AllowRuleFound[] {
  const out: AllowRuleFound[] = [];
  for (const line of text.split('\n')) {
    const m = RULE.exec(line.trim());
    if (!m) continue;
    const perms = (m[4] ?? m[5] ?? '').split(/\s+/).filter(Boolean);
    const rule: AllowRuleFound = {source: m[1]!, target: m[2]!, cls: m[3]!, perms};
    if (m[6]) rule.conditional = m[6];
    out.push(rule);
  }
  return out;
}

/** Types a role may enter (`seinfo POLICY -r ROLE -x`). */
export function roleTypes(policy: string, role: string, opts: SetoolsOptions = {}): Set<string> {
  const text = setool(opts.seinfo ?? 'seinfo', [policy, '-r', role, '-x'], opts.timeoutMs);
  const m = /types\s*\{([^}]*)\}/.exec(text);
  return new Set((m?.[1] ?? '').split(/\s+/).filter(Boolean));
}

/** Permissive types of a compiled policy. */
export function permissiveTypes(policy: string, opts: SetoolsOptions = {}): Set<string> {
  const text = setool(opts.seinfo ?? 'seinfo', [policy, '--permissive', '-x'], opts.timeoutMs);
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*type\s+([^\s,;]+)/.exec(line);
    if (m) out.add(m[1]!);
  }
  return out;
}

/** Whether a compiled policy declares the type (`seinfo POLICY -t TYPE`). */
export function hasType(policy: string, type: string, opts: SetoolsOptions = {}): boolean {
  const text = setool(opts.seinfo ?? 'seinfo', [policy, '-t', type], opts.timeoutMs);
  return text.split('\n').some((l) => l.trim() === type);
}

function setoolAsync(cmd: string, args: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, {encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024}, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new UserError('E_TOOL_MISSING', `${cmd} is not installed`, {}, 'install setools (Debian: apt-get install setools)'));
      else if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${(stderr || String(err)).trim()}`));
      else resolve(stdout);
    });
  });
}

/**
 * Answers many access questions about one compiled policy with few tool runs (each run loads the
 * whole policy, 0.2–0.8 s): one `sesearch -A -s REGEX -rs` for the allow rules of all given
 * domains as source (regex matches are indirect like plain ones: rules on an attribute holding a
 * matching type are included), optionally one `-t REGEX -rt` for rules with them as target, and
 * one `seinfo -x -a -t -r --permissive` for attribute membership, types, roles and permissive
 * types. Rules name types or attributes; {@link PolicyView.allows} resolves both through the
 * membership table, as sesearch itself does.
 */
export class PolicyView {
  private constructor(
    readonly policy: string,
    private readonly rules: AllowRuleFound[],
    private readonly attrs: Map<string, Set<string>>,
    readonly types: Set<string>,
    private readonly roles: Map<string, Set<string>>,
    readonly permissive: Set<string>,
  ) {}

  /**
   * Loads the rules whose source is one of `domains` and, for `asTarget`, the rules whose target
   * is (needed to ask what others may do to them, e.g. dockerd's transition); the tool runs go in
   * parallel.
   */
  static async load(policy: string, domains: readonly string[], opts: SetoolsOptions & {asTarget?: readonly string[]} = {}): Promise<PolicyView> {
    const sesearch = opts.sesearch ?? 'sesearch';
    const anyOf = (names: readonly string[]) => `^(${names.map((n) => n.replace(/[^A-Za-z0-9_]/g, (ch) => `\\${ch}`)).join('|')})$`;
    const runs = [setoolAsync(opts.seinfo ?? 'seinfo', [policy, '-x', '-a', '-t', '-r', '--permissive'], opts.timeoutMs)];
    if (domains.length > 0) runs.push(setoolAsync(sesearch, ['-A', '-s', anyOf(domains), '-rs', policy], opts.timeoutMs));
    if (opts.asTarget?.length) runs.push(setoolAsync(sesearch, ['-A', '-t', anyOf(opts.asTarget), '-rt', policy], opts.timeoutMs));
    const [info, ...ruleTexts] = await Promise.all(runs);
    const attrs = new Map<string, Set<string>>();
    const types = new Set<string>();
    const roles = new Map<string, Set<string>>();
    const permissive = new Set<string>();
    let section = '';
    let attr: Set<string> | undefined;
    for (const line of info!.split('\n')) {
      const head = /^(\S[^:]*):\s*\d+\s*$/.exec(line);
      if (head) {
        section = head[1]!;
        attr = undefined;
        continue;
      }
      if (section === 'Type Attributes') {
        const a = /^\s*attribute\s+([^\s;]+);/.exec(line);
        if (a) attrs.set(a[1]!, (attr = new Set()));
        else if (attr && line.trim()) attr.add(line.trim());
      } else if (section === 'Types' || section === 'Permissive Types') {
        const t = /^\s*type\s+([^\s,;]+)/.exec(line);
        if (t) (section === 'Types' ? types : permissive).add(t[1]!);
      } else if (section === 'Roles') {
        const r = /^\s*role\s+(\S+)\s+types\s*\{([^}]*)\}/.exec(line) ?? /^\s*role\s+(\S+)\s+types\s+([^\s;]+);/.exec(line);
        if (r) roles.set(r[1]!, new Set(r[2]!.split(/\s+/).filter(Boolean)));
      }
    }
    return new PolicyView(policy, ruleTexts.flatMap(parseSesearch), attrs, types, roles, permissive);
  }

  private covers(name: string, type: string): boolean {
    return name === type || (this.attrs.get(name)?.has(type) ?? false);
  }

  /**
   * Whether `source` may do all of `perms` on `target`:`cls`, counting the union of matching
   * rules. Conditional rules count only with `includeConditional` (use it for "must not" checks,
   * so a boolean cannot hide a grant). `source` must be a loaded domain, or `target` one loaded
   * with `asTarget`.
   */
  allows(source: string, target: string, cls: string, perms: readonly string[], opts: {includeConditional?: boolean} = {}): boolean {
    const have = new Set<string>();
    for (const r of this.rules) {
      if (r.cls !== cls || (r.conditional && !opts.includeConditional)) continue;
      if (this.covers(r.source, source) && this.covers(r.target, target)) r.perms.forEach((p) => have.add(p));
    }
    return perms.every((p) => have.has(p));
  }

  /** Targets `source` may use `perm` on, in class `cls` (types or attributes as written). */
  targets(source: string, cls: string, perm: string, opts: {includeConditional?: boolean} = {}): string[] {
    const out = new Set<string>();
    for (const r of this.rules) {
      if (r.cls === cls && r.perms.includes(perm) && (!r.conditional || opts.includeConditional) && this.covers(r.source, source)) out.add(r.target);
    }
    return [...out].sort();
  }

  roleHas(role: string, type: string): boolean {
    return this.roles.get(role)?.has(type) ?? false;
  }
}

export interface SemoduleOptions {
  /** `-p`: alternate policy root (tests use a private copy; never the system store). */
  root?: string;
  /** `-n`: do not reload the kernel policy. */
  noReload?: boolean;
  semodule?: string;
  timeoutMs?: number;
}

/**
 * name → CIL file of every enabled module of a policy store, highest priority only. A store
 * (`/var/lib/selinux/NAME`, or below a `semodule -p` root) keeps each module as (usually
 * bzip2'd) CIL in active/modules/<priority>/<name>/cil and lists disabled ones in
 * active/modules/disabled/.
 */
export function storeModules(storeDir: string): Map<string, string> {
  const modulesDir = join(storeDir, 'active', 'modules');
  if (!existsSync(modulesDir)) throw new UserError('E_SELINUX_STORE', `no SELinux policy store at ${storeDir}`, {}, 'install the policy (Debian: selinux-policy-default)');
  const disabledDir = join(modulesDir, 'disabled');
  const disabled = new Set(existsSync(disabledDir) ? readdirSync(disabledDir) : []);
  const best = new Map<string, {prio: number; file: string}>();
  for (const p of readdirSync(modulesDir)) {
    if (!/^\d+$/.test(p)) continue;
    const prio = Number(p);
    for (const n of readdirSync(join(modulesDir, p))) {
      const file = join(modulesDir, p, n, 'cil');
      if (disabled.has(n) || !existsSync(file)) continue;
      const cur = best.get(n);
      if (!cur || prio > cur.prio) best.set(n, {prio, file});
    }
  }
  return new Map([...best].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, v]) => [n, v.file]));
}

/**
 * Writes the plain CIL of every enabled module of a store into `outDir` (one `<name>.cil` each)
 * and returns the files: with the generated modules, one secilc run links the whole policy,
 * as `semodule -i` would, without touching the store.
 */
export function extractStoreCil(storeDir: string, outDir: string): string[] {
  mkdirSync(outDir, {recursive: true});
  const files: string[] = [];
  for (const [name, file] of storeModules(storeDir)) {
    const raw = readFileSync(file);
    let text: Buffer = raw;
    if (raw.subarray(0, 3).toString('latin1') === 'BZh') {
      const r = spawnSync('bzip2', ['-dc', file], {maxBuffer: 256 * 1024 * 1024});
      if (r.status !== 0) throw new UserError('E_TOOL_MISSING', `cannot decompress ${file} with bzip2`, {}, 'install bzip2');
      text = r.stdout;
    }
    const out = join(outDir, `${name}.cil`);
    writeFileSync(out, text);
    files.push(out);
  }
  return files;
}

/** `semodule [-p ROOT] [-n] -i FILE…`: installs all modules in one transaction. */
export function semoduleInstall(files: readonly string[], opts: SemoduleOptions = {}): {ok: boolean; output: string} {
  const args: string[] = [];
  if (opts.root) args.push('-p', opts.root);
  if (opts.noReload) args.push('-n');
  args.push('-i', ...files);
  const r = run(opts.semodule ?? 'semodule', args, opts.timeoutMs);
  if (missing(r)) throw new UserError('E_TOOL_MISSING', 'semodule is not installed', {}, 'install policycoreutils (Debian: apt-get install policycoreutils)');
  return {ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`};
}

/** Installed module names (`semodule [-p ROOT] -l`). */
export function semoduleList(opts: SemoduleOptions = {}): string[] {
  const args = opts.root ? ['-p', opts.root, '-l'] : ['-l'];
  const r = run(opts.semodule ?? 'semodule', args, opts.timeoutMs);
  if (r.status !== 0) throw new Error(`semodule -l failed: ${(r.stderr ?? '').trim()}`);
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean);
}
