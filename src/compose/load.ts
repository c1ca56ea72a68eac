/**
 * The load stage: compose files, environment and flags → ComposeProject, read exactly as
 * `docker compose` reads them (compose-spec; docs "Environment variables precedence",
 * "Specify a project name", "Use multiple Compose files", "include", "extends").
 *
 * Per document, in Compose's order: tags taken out (reset.ts) and interpolation (one walk), casting,
 * validation, canonical long syntax (document.ts), `extends` (extends.ts), `!reset`/`!override`
 * applied to what came before, `include` (include.ts), merge and de-duplication (merge.ts).
 * Then profiles and cross-reference checks (consistency.ts).
 */
import {createHash} from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../errors.js';
import {checkConsistency} from './consistency.js';
import {type DocSource, type EnvView, prepareDocument, untagAndInterpolate} from './document.js';
import {type ServiceSet, applyExtends} from './extends.js';
import {type Layer, displayName, readLayer} from './files.js';
import {assertNoIncludeCycle, importResources, readIncludeEntries} from './include.js';
import {interpolateString} from './interpolate.js';
import {enforceUnicity, findRepeated, isPlainObject, mergeValues} from './merge.js';
import type {ComposeModel, ComposeProject, ServiceConfig, SourceFile} from './model.js';
import {finalizeService} from './normalize/finalize.js';
import {chooseProjectName} from './project-name.js';
import {type TagPath, applyTagPaths} from './reset.js';
import {projectEnvironment, withEnvFiles} from './project-env.js';
import {locate} from './yaml.js';

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
  /** Warnings to print, shared by included projects. */
  warnings: string[];
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
  const ctx: LoadCtx = {env, home, root: workingDir, including: [], extendsFiles: new Map(), warnings: [...warnings]};
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
    warnings: [...new Set(ctx.warnings), ...unset],
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
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
  const {doc: untagged, paths} = untagAndInterpolate(raw, src, ctx.env);
  if ('version' in untagged) ctx.warnings.push(`${src.file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
  let doc = prepareDocument(untagged, src, ctx.home, true);
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
  let tagPaths: TagPath[] = [];
  for (const raw of layer.docs) {
    const {doc, paths} = untagAndInterpolate(raw, src, ctx.env);
    applyTagPaths(merged, paths);
    merged = mergeValues(merged, prepareDocument(doc, src, ctx.home, false), '') as Obj;
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
  const names = Object.keys(services);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const svc = services[name];
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
