/**
 * The load stage: compose files, environment and flags → ComposeProject, read exactly as
 * `docker compose` reads them (compose-spec; docs "Environment variables precedence",
 * "Specify a project name", "Use multiple Compose files", "include", "extends").
 *
 * Per document, in Compose's order: tags taken out (reset.ts), interpolation, casting,
 * validation, canonical long syntax (document.ts), `extends` (extends.ts), `!reset`/`!override`
 * applied to what came before, `include` (include.ts), merge and de-duplication (merge.ts).
 * Then profiles and cross-reference checks (consistency.ts).
 */
import {createHash} from 'node:crypto';
import {existsSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {UserError, type Where} from '../errors.js';
import {checkConsistency} from './consistency.js';
import {discoverFiles} from './discover.js';
import {type DocSource, type EnvView, prepareDocument} from './document.js';
import {parseDotEnv} from './env.js';
import {type ServiceSet, applyExtends} from './extends.js';
import {assertNoIncludeCycle, importResources, readIncludeEntries} from './include.js';
import {interpolateString} from './interpolate.js';
import {enforceUnicity, findRepeated, isPlainObject, mergeValues} from './merge.js';
import type {ComposeModel, ComposeProject, ServiceConfig, SourceFile} from './model.js';
import {finalizeService} from './normalize/finalize.js';
import {chooseProjectName} from './project-name.js';
import {applyTagPaths, takeTags} from './reset.js';
import {locate, parseComposeYaml} from './yaml.js';

type Obj = Record<string, unknown>;

export interface LoadOptions {
  /** `-f` values as given (relative to cwd), `-` for stdin. */
  files: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  projectName?: string;
  projectDirectory?: string;
  envFiles: string[];
  profiles: string[];
  /** Reads standard input when a file is `-`. */
  readStdin?: () => string;
  home?: string;
}

/** Everything one loading (the project, or one included project) shares. */
interface LoadCtx {
  env: EnvView;
  home: string;
  /** The project directory, for relative file names in messages. */
  root: string;
  /** Absolute files being included, outermost first (include cycle detection). */
  including: readonly string[];
  /** `extends.file` files already loaded under this context's variables. */
  extendsFiles: Map<string, ServiceSet>;
}

/** A compose file read and parsed. */
interface Layer extends DocSource {
  docs: Obj[];
}

export function loadProject(opts: LoadOptions): ComposeProject {
  const home = opts.home ?? opts.env.HOME ?? os.homedir();
  const projectDirectory = opts.projectDirectory ? path.resolve(opts.cwd, opts.projectDirectory) : undefined;
  const {vars, origin, files, workingDir, warnings} = projectEnvironment(opts, projectDirectory);
  const layers = files.map((f) => readLayer(f, workingDir, opts.readStdin));
  const env: EnvView = {lookup: (n) => vars[n], unset: new Set(), read: new Map()};
  const name = projectName(opts, vars, origin.get('COMPOSE_PROJECT_NAME'), layers, workingDir, env);
  // compose-go sets COMPOSE_PROJECT_NAME to the chosen name for interpolation.
  env.lookup = (n) => (n === 'COMPOSE_PROJECT_NAME' ? name : vars[n]);
  const ctx: LoadCtx = {env, home, root: workingDir, including: [], extendsFiles: new Map()};
  const merged = loadLayers(layers, workingDir, ctx);
  if (Object.keys(merged).length === 0) {
    throw new UserError('E_EMPTY', `empty compose file: nothing is defined in ${layers.map((l) => l.file).join(', ')}`, {file: layers[0]?.file}, 'a compose file needs at least a services: key');
  }

  const profiles = (opts.profiles.length ? opts.profiles : (vars.COMPOSE_PROFILES ?? '').split(',')).map((s) => s.trim()).filter(Boolean);
  const services = isPlainObject(merged.services) ? merged.services : {};
  const {active, disabled} = selectProfiles(services, profiles);
  const model = finishModel(name, merged, active, new Set(Object.keys(services)), layers[0]?.file ?? '');

  const unset = [...env.unset].sort().map((v) => `The "${v}" variable is not set. Defaulting to a blank string.`);
  return {
    name,
    workingDir,
    files: layers.map((l) => ({absolute: l.absolute, relative: l.file, sha256: sha256(l.text)}) satisfies SourceFile),
    model,
    disabledServices: disabled,
    interpolated: Object.fromEntries([...env.read].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    warnings: [...warnings, ...unset],
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The variables interpolation sees and the files to load (compose-go cli options, in order):
 * the process environment always wins; `--env-file`s, else the `.env` of the project
 * directory as known so far (`--project-directory`, else the folder of the first file named by
 * `-f` or by COMPOSE_FILE in the process environment, else the current folder) fill in;
 * COMPOSE_FILE may then come from that `.env`; once the files are known, the `.env` of their
 * folder fills in what is still missing.
 */
function projectEnvironment(opts: LoadOptions, projectDirectory: string | undefined) {
  const processEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) processEnv[k] = v;
  const explicit = opts.envFiles.map((f) => ({absolute: path.resolve(opts.cwd, f), display: f}));
  const named = opts.files.length || processEnv.COMPOSE_FILE ? discoverFiles({files: opts.files, cwd: opts.cwd, env: processEnv, projectDirectory}) : undefined;
  const firstNamed = named?.files.find((f) => f !== '-');
  const firstDir = projectDirectory ?? (firstNamed ? path.dirname(firstNamed) : opts.cwd);
  const dotenv = (dir: string) => [{absolute: path.join(dir, '.env'), display: displayName(path.join(dir, '.env'), opts.cwd)}];
  // Which env file each variable came from, for messages.
  const origin = new Map<string, string>();
  let vars = explicit.length ? withEnvFiles(processEnv, explicit, false, origin) : withEnvFiles(processEnv, dotenv(firstDir), true, origin);
  const found = named ?? discoverFiles({files: [], cwd: opts.cwd, env: vars, projectDirectory});
  const first = found.files[0];
  const workingDir = projectDirectory ?? (first === '-' ? opts.cwd : path.dirname(first));
  if (!explicit.length && workingDir !== firstDir) vars = withEnvFiles(vars, dotenv(workingDir), true, origin);
  return {vars, origin, files: found.files, workingDir, warnings: found.warnings};
}

/**
 * Adds the variables of env files to `base` without overriding it (compose-go dotenv
 * GetEnvFromFile + WithDotEnv): later files override earlier ones; values may refer to `base`
 * and to earlier files.
 */
function withEnvFiles(base: Record<string, string>, files: Array<{absolute: string; display: string}>, optional: boolean, origin?: Map<string, string>): Record<string, string> {
  let fromFiles: Record<string, string> = {};
  for (const {absolute, display} of files) {
    if (optional && !isFile(absolute)) continue;
    const parsed = parseDotEnv(readText(absolute, display), display, {...fromFiles, ...base});
    for (const k of Object.keys(parsed)) if (!(k in base)) origin?.set(k, display);
    fromFiles = {...fromFiles, ...parsed};
  }
  return {...fromFiles, ...base};
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Reads a file with precise errors for the usual mistakes (missing, directory, unreadable). */
function readText(file: string, display: string, via: Where = {}): string {
  const where: Where = via.file ? via : {file: display};
  const named = via.file ? ` (${display})` : '';
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new UserError('E_FILE', `file not found: ${display}`, where, 'check the path given with -f, COMPOSE_FILE, --env-file, include or extends');
  }
  if (st.isDirectory()) {
    throw new UserError('E_FILE', `${display} is a directory, not a file${named}`, where, 'name the file inside it, e.g. -f dir/compose.yaml');
  }
  if (!st.isFile()) {
    // A FIFO or device would block or never end: Compose's loader needs a regular file too.
    throw new UserError('E_FILE', `${display} is not a regular file${named}`, where, 'point to a regular file');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError('E_FILE', `cannot read ${display} (${code})${named}`, where, code === 'EACCES' ? 'check the file permissions' : 'check that the file is readable');
  }
}

/** A path as shown in messages: relative to the project directory when inside it. */
function displayName(file: string, root: string): string {
  const rel = path.relative(root, file).split(path.sep).join('/');
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function readLayer(file: string, root: string, readStdin?: () => string, via?: Where): Layer {
  let text: string;
  let display: string;
  if (file === '-') {
    if (!readStdin) throw new UserError('E_FILE', 'cannot read the compose file from standard input here', {file: '-'}, 'pass a file path with -f');
    text = readStdin();
    display = '-';
  } else {
    display = displayName(file, root);
    text = readText(file, display, via);
  }
  return {file: display, absolute: file, text, baseDir: root, docs: parseComposeYaml(text, display) as Obj[]};
}

/**
 * The project name (project-name.ts): the last non-empty top-level `name:` of the files is read
 * before anything else and interpolated on its own, as compose-go does.
 */
function projectName(opts: LoadOptions, vars: Record<string, string>, envNameFile: string | undefined, layers: Layer[], workingDir: string, env: EnvView): string {
  let fromFile: {value: string; file: string; text: string} | undefined;
  for (const l of layers) for (const d of l.docs) if (typeof d.name === 'string' && d.name) fromFile = {value: d.name, file: l.file, text: l.text};
  const file = fromFile && {
    file: fromFile.file,
    value: interpolateString(fromFile.value, {lookup: env.lookup, onUnset: (n) => env.unset.add(n), file: fromFile.file, path: 'name'}),
  };
  return chooseProjectName({flag: opts.projectName, env: vars.COMPOSE_PROJECT_NAME, envFile: envNameFile, file, dir: path.basename(workingDir)});
}

/** Merges every document of every layer, in order, relative paths against `baseDir`. */
function loadLayers(layers: Layer[], baseDir: string, ctx: LoadCtx): Obj {
  let merged: Obj = {};
  for (const layer of layers) {
    for (const raw of layer.docs) merged = mergeDocument(merged, raw, {...layer, baseDir}, ctx);
  }
  return merged;
}

/** One document onto the model merged so far (see the module comment for the order). */
function mergeDocument(acc: Obj, raw: Obj, src: DocSource, ctx: LoadCtx): Obj {
  const {doc: untagged, paths} = takeTags(raw);
  let doc = prepareDocument(untagged, src, ctx.env, ctx.home, true);
  if (isPlainObject(doc.services)) {
    applyExtends({services: doc.services, absolute: src.absolute, file: src.file, tagPaths: paths}, (file, where) => loadExtendsFile(file, where, ctx));
  }
  applyTagPaths(acc, paths);
  if (Array.isArray(doc.include)) doc = importResources(loadIncludes(doc.include, src, ctx), doc, src);
  const merged = mergeValues(acc, doc, '') as Obj;
  enforceUnicity(merged);
  assertNotRepeated(merged, src);
  return merged;
}

/** compose-spec: security_opt and a few other lists are appended, and a repeated entry is refused (compose#11777). */
function assertNotRepeated(model: Obj, src: DocSource): void {
  const rep = findRepeated(model);
  if (!rep) return;
  throw new UserError(
    'E_SCHEMA',
    `${rep.path} must not repeat ${JSON.stringify(rep.item)} (items must be unique once files are merged)`,
    {file: src.file, line: locate(src.text, rep.path), path: rep.path},
    'remove the repeated entry: Compose appends these lists across files without de-duplicating them, then rejects the repeat',
  );
}

/** The services of an `extends.file`, loaded once per context, relative paths against its own folder. */
function loadExtendsFile(file: string, where: {file: string; path: string}, ctx: LoadCtx): ServiceSet {
  const cached = ctx.extendsFiles.get(file);
  if (cached) return cached;
  const layer = readLayer(file, ctx.root, undefined, {...where, path: `${where.path}.file`});
  const src: DocSource = {...layer, baseDir: path.dirname(file)};
  let merged: Obj = {};
  let tagPaths: ReturnType<typeof takeTags>['paths'] = [];
  for (const raw of layer.docs) {
    const {doc, paths} = takeTags(raw);
    applyTagPaths(merged, paths);
    merged = mergeValues(merged, prepareDocument(doc, src, ctx.env, ctx.home, false), '') as Obj;
    tagPaths = paths;
  }
  const set: ServiceSet = {services: isPlainObject(merged.services) ? merged.services : {}, absolute: file, file: layer.file, tagPaths};
  ctx.extendsFiles.set(file, set);
  return set;
}

/** Loads every `include` entry of a document as a project of its own (include.ts). */
function loadIncludes(entries: unknown[], src: DocSource, ctx: LoadCtx): Array<{model: Obj; file: string}> {
  return readIncludeEntries(entries, src.baseDir).map((entry, i) => {
    const where = {file: src.file, path: `include[${i}]`};
    const chain = [...ctx.including, src.absolute];
    assertNoIncludeCycle(entry, chain, where, (f) => displayName(f, ctx.root));
    const outer = ctx.env.lookup;
    const own = withEnvFiles({}, entry.envFiles.map((f) => ({absolute: f, display: displayName(f, ctx.root)})), entry.optional);
    // The including project's variables win over the included project's env files.
    const sub: LoadCtx = {...ctx, env: {...ctx.env, lookup: (n) => outer(n) ?? own[n]}, including: chain, extendsFiles: new Map()};
    const layers = entry.files.map((f) => readLayer(f, ctx.root, undefined, where));
    return {model: loadLayers(layers, entry.projectDirectory, sub), file: layers[0].file};
  });
}

function selectProfiles(services: Obj, profiles: string[]): {active: Record<string, ServiceConfig>; disabled: string[]} {
  const all = profiles.includes('*');
  const active: Record<string, ServiceConfig> = {};
  const disabled: string[] = [];
  for (const [name, svc] of Object.entries(services)) {
    const p = (svc as ServiceConfig).profiles;
    if (!p || p.length === 0 || all || p.some((x) => profiles.includes(x))) active[name] = svc as ServiceConfig;
    else disabled.push(name);
  }
  return {active, disabled: disabled.sort()};
}

const objectOf = (v: unknown): Obj => (isPlainObject(v) ? {...v} : {});

/** Final shape and cross-references, as `docker compose config` prints and checks them. */
function finishModel(name: string, merged: Obj, services: Record<string, ServiceConfig>, defined: Set<string>, file: string): ComposeModel {
  const networks = objectOf(merged.networks);
  const volumes = objectOf(merged.volumes);
  checkConsistency({services, defined, networks, volumes, secrets: objectOf(merged.secrets), configs: objectOf(merged.configs), file});
  let usesDefault = false;
  for (const svc of Object.values(services)) {
    finalizeService(svc);
    if (svc.network_mode === undefined && svc.networks === undefined) svc.networks = {default: null};
    if (svc.networks && 'default' in svc.networks) usesDefault = true;
  }
  if (usesDefault && !('default' in networks)) networks.default = null;
  const named = (kind: Obj) => {
    for (const [n, def] of Object.entries(kind)) {
      const d = objectOf(def);
      kind[n] = d.name || d.external ? d : {...d, name: `${name}_${n}`};
    }
  };
  const secrets = objectOf(merged.secrets);
  const configs = objectOf(merged.configs);
  for (const kind of [networks, volumes, secrets, configs]) named(kind);
  const model: ComposeModel = {name, services};
  if (Object.keys(networks).length) model.networks = networks;
  if (Object.keys(volumes).length) model.volumes = volumes;
  if (Object.keys(secrets).length) model.secrets = secrets;
  if (Object.keys(configs).length) model.configs = configs;
  for (const [k, v] of Object.entries(merged)) {
    if (['name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'version', 'include'].includes(k)) continue;
    model[k] = v;
  }
  return model;
}
