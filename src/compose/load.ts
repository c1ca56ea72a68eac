/**
 * The load stage: compose files, environment and flags → ComposeProject, read exactly as
 * `docker compose` reads them (compose-spec; docs "Environment variables precedence",
 * "Specify a project name", "Use multiple Compose files", "include", "extends").
 */
import {createHash} from 'node:crypto';
import {existsSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../errors.js';
import {discoverFiles} from './discover.js';
import {parseDotEnv} from './env.js';
import {interpolateTree} from './interpolate.js';
import {isPlainObject, mergeValues, unwrapTags} from './merge.js';
import type {ComposeModel, ComposeProject, ServiceConfig, SourceFile} from './model.js';
import {castTypes} from './normalize/cast.js';
import {canonicalService, canonicalTopLevel} from './normalize/service.js';
import {normalizeProjectName, validateProjectName} from './project-name.js';
import {validateCompose} from './schema.js';
import {parseComposeYaml} from './yaml.js';

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

interface Env {
  lookup: (name: string) => string | undefined;
  unset: Set<string>;
  read: Map<string, string | null>;
}

interface Ctx {
  env: Env;
  home: string;
  readStdin?: () => string;
  /** Files currently being included, for cycle detection. */
  including: string[];
}

export function loadProject(opts: LoadOptions): ComposeProject {
  const home = opts.home ?? opts.env.HOME ?? os.homedir();
  const projectDirectory = opts.projectDirectory ? path.resolve(opts.cwd, opts.projectDirectory) : undefined;
  const found = discoverFiles({files: opts.files, cwd: opts.cwd, env: opts.env, projectDirectory});
  const first = found.files[0];
  const workingDir = projectDirectory ?? (first === '-' ? opts.cwd : path.dirname(first));
  const dotenv = readEnvFiles(opts.envFiles.length ? opts.envFiles.map((f) => path.resolve(opts.cwd, f)) : [path.join(workingDir, '.env')], !opts.envFiles.length, opts.env);
  const env: Env = {
    // The process environment wins over env files (docs "Environment variables precedence").
    lookup: (name) => opts.env[name] ?? dotenv[name],
    unset: new Set(),
    read: new Map(),
  };
  const ctx: Ctx = {env, home, readStdin: opts.readStdin, including: []};

  const sources: SourceFile[] = [];
  let merged: Obj = {};
  for (const file of found.files) {
    const {text, display} = readSource(file, ctx, workingDir);
    sources.push({absolute: file, relative: display, sha256: sha256(text)});
    for (const doc of parseComposeYaml(text, display)) {
      const processed = processDocument(doc as Obj, {file: display, text, baseDir: workingDir}, ctx);
      merged = mergeValues(merged, processed, '') as Obj;
    }
  }
  merged = unwrapTags(merged) as Obj;

  const services = isPlainObject(merged.services) ? merged.services : {};
  resolveAllExtends(services, {file: sources[0]?.relative ?? '', baseDir: workingDir}, ctx);

  const name = chooseProjectName(opts, env, merged, workingDir);
  const profiles = (opts.profiles.length ? opts.profiles : (env.lookup('COMPOSE_PROFILES') ?? '').split(',')).map((s) => s.trim()).filter(Boolean);
  const {active, disabled} = selectProfiles(services, profiles);
  const model = finishModel(name, merged, active, sources[0]?.relative ?? '');

  const warnings = [...env.unset].sort().map((v) => `The "${v}" variable is not set. Defaulting to a blank string.`);
  return {
    name,
    workingDir,
    files: sources,
    model,
    disabledServices: disabled,
    interpolated: Object.fromEntries([...env.read].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    warnings,
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function readEnvFiles(files: string[], optional: boolean, outer: Record<string, string | undefined>): Record<string, string> {
  let out: Record<string, string> = {};
  for (const file of files) {
    if (optional && !existsSync(file)) continue;
    const text = readText(file, file);
    out = {...out, ...parseDotEnv(text, file, {...out, ...outer})};
  }
  return out;
}

/** Reads a file with precise errors for the usual mistakes (missing, directory, unreadable). */
function readText(file: string, display: string): string {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new UserError('E_FILE', `file not found: ${display}`, {file: display}, 'check the path given with -f, COMPOSE_FILE, include or extends');
  }
  if (st.isDirectory()) {
    throw new UserError('E_FILE', `${display} is a directory, not a compose file`, {file: display}, 'name the compose file inside it, e.g. -f dir/compose.yaml');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError('E_FILE', `cannot read ${display} (${code})`, {file: display}, code === 'EACCES' ? 'check the file permissions' : 'check that the file is readable');
  }
}

function readSource(file: string, ctx: Ctx, workingDir: string): {text: string; display: string} {
  if (file === '-') {
    if (!ctx.readStdin) throw new UserError('E_FILE', 'cannot read the compose file from standard input here', {file: '-'}, 'pass a file path with -f');
    return {text: ctx.readStdin(), display: '-'};
  }
  const rel = path.relative(workingDir, file).split(path.sep).join('/');
  const display = rel && !rel.startsWith('..') ? rel : file;
  return {text: readText(file, display), display};
}

interface DocCtx {
  file: string;
  text: string;
  baseDir: string;
}

/** One YAML document of one file: interpolate, cast, validate, include, canonicalise. */
function processDocument(raw: Obj, dc: DocCtx, ctx: Ctx): Obj {
  const doc = interpolateTree(raw, {
    lookup: ctx.env.lookup,
    onUnset: (n) => ctx.env.unset.add(n),
    onRead: (n, v) => ctx.env.read.set(n, v ?? null),
    file: dc.file,
  }) as Obj;
  castTypes(doc, dc.file);
  validateCompose(unwrapTags(doc), dc.file, dc.text);
  const pc = {file: dc.file, baseDir: dc.baseDir, home: ctx.home};
  if (isPlainObject(doc.services)) {
    const services: Obj = {};
    for (const [name, svc] of Object.entries(doc.services)) {
      services[name] = isPlainObject(svc) ? canonicalService(name, svc, pc) : svc;
    }
    doc.services = services;
  }
  canonicalTopLevel(doc, pc);
  if (Array.isArray(doc.include)) {
    const included = loadIncludes(doc.include, dc, ctx);
    delete doc.include;
    return combineIncluded(included, doc, dc);
  }
  return doc;
}

/** compose-spec "include": each entry is loaded as its own project and its resources imported. */
function loadIncludes(entries: unknown[], dc: DocCtx, ctx: Ctx): Array<{model: Obj; file: string}> {
  const out: Array<{model: Obj; file: string}> = [];
  entries.forEach((entry, i) => {
    const e = typeof entry === 'string' ? {path: entry} : (entry as Obj);
    const paths = (Array.isArray(e.path) ? e.path : [e.path]).map((p) => path.resolve(dc.baseDir, String(p)));
    const projectDir = typeof e.project_directory === 'string' ? path.resolve(dc.baseDir, e.project_directory) : path.dirname(paths[0]);
    const envFiles = e.env_file === undefined ? [path.join(projectDir, '.env')] : (Array.isArray(e.env_file) ? e.env_file : [e.env_file]).map((f) => path.resolve(dc.baseDir, String(f)));
    for (const p of paths) {
      if (ctx.including.includes(p)) {
        throw new UserError('E_INCLUDE_CYCLE', `include cycle: ${[...ctx.including, p].map((f) => path.basename(f)).join(' → ')}`, {file: dc.file, path: `include[${i}]`}, 'an included file must not include its includer');
      }
    }
    const dotenv = readEnvFiles(envFiles, e.env_file === undefined, {});
    const outerLookup = ctx.env.lookup;
    const sub: Ctx = {
      ...ctx,
      env: {...ctx.env, lookup: (n) => outerLookup(n) ?? dotenv[n]},
      including: [...ctx.including, ...paths],
    };
    let model: Obj = {};
    for (const p of paths) {
      const rel = path.relative(projectDir, p).split(path.sep).join('/');
      const text = readText(p, `${dc.file}: include[${i}] ${rel}`);
      for (const d of parseComposeYaml(text, p)) {
        model = mergeValues(model, processDocument(d as Obj, {file: p, text, baseDir: projectDir}, sub), '') as Obj;
      }
    }
    model = unwrapTags(model) as Obj;
    if (isPlainObject(model.services)) resolveAllExtends(model.services, {file: paths[0], baseDir: projectDir}, sub);
    out.push({model, file: paths[0]});
  });
  return out;
}

function combineIncluded(included: Array<{model: Obj; file: string}>, doc: Obj, dc: DocCtx): Obj {
  const result: Obj = {};
  for (const {model, file} of included) {
    for (const key of ['services', 'networks', 'volumes', 'secrets', 'configs']) {
      const src = model[key];
      if (!isPlainObject(src)) continue;
      const dst = (result[key] ??= {}) as Obj;
      const own = isPlainObject(doc[key]) ? (doc[key] as Obj) : {};
      for (const [n, v] of Object.entries(src)) {
        if (n in own || n in dst) {
          throw new UserError('E_INCLUDE_CONFLICT', `imported compose file ${path.basename(file)} defines conflicting ${key.slice(0, -1)} ${n}`, {file: dc.file, path: `${key}.${n}`}, 'rename one of them, or drop it from the including file');
        }
        dst[n] = v;
      }
    }
  }
  return mergeValues(result, doc, '') as Obj;
}

/** compose-spec "extends": same-file and `file:` references, resolved depth-first with cycle detection. */
function resolveAllExtends(services: Obj, fc: {file: string; baseDir: string}, ctx: Ctx): void {
  const done = new Set<string>();
  const resolve = (name: string, stack: string[]): Obj => {
    const svc = services[name];
    if (!isPlainObject(svc)) return svc as Obj;
    if (done.has(name) || !svc.extends) return svc;
    const key = `${fc.file}#${name}`;
    if (stack.includes(key)) {
      throw new UserError('E_EXTENDS_CYCLE', `circular reference with extends: ${[...stack, key].map((k) => k.split('#')[1]).join(' → ')}`, {file: fc.file, path: `services.${name}.extends`}, 'an extended service must not extend, directly or not, the service that extends it');
    }
    const ext = svc.extends as {service: string; file?: string};
    let base: Obj;
    if (ext.file) base = loadExtendedService(ext.file, ext.service, `services.${name}.extends`, fc, ctx, [...stack, key]);
    else {
      if (!isPlainObject(services[ext.service])) {
        throw new UserError('E_EXTENDS', `service ${JSON.stringify(ext.service)} not found (extended by ${name})`, {file: fc.file, path: `services.${name}.extends.service`}, 'extends.service must name a service of this file, or give extends.file');
      }
      base = resolve(ext.service, [...stack, key]);
    }
    const {extends: _drop, ...own} = svc;
    const {extends: _b, ...baseRest} = base;
    const merged = mergeValues(baseRest, own, `services.${name}`) as Obj;
    services[name] = merged;
    done.add(name);
    return merged;
  };
  for (const name of Object.keys(services)) resolve(name, []);
}

function loadExtendedService(file: string, service: string, where: string, fc: {file: string}, ctx: Ctx, stack: string[]): Obj {
  const text = readText(file, file);
  let model: Obj = {};
  for (const d of parseComposeYaml(text, file)) {
    model = mergeValues(model, processDocument(d as Obj, {file, text, baseDir: path.dirname(file)}, ctx), '') as Obj;
  }
  model = unwrapTags(model) as Obj;
  const services = isPlainObject(model.services) ? model.services : {};
  if (!isPlainObject(services[service])) {
    throw new UserError('E_EXTENDS', `service ${JSON.stringify(service)} not found in ${path.basename(file)}`, {file: fc.file, path: where}, 'check extends.service and extends.file');
  }
  const key = `${file}#${service}`;
  if (stack.includes(key)) {
    throw new UserError('E_EXTENDS_CYCLE', `circular reference with extends: ${[...stack, key].map((k) => k.split('#')[1]).join(' → ')}`, {file: fc.file, path: where}, 'break the extends cycle');
  }
  // Resolve the extended service's own extends within its file.
  const sub: Obj = {...services};
  resolveExtendsFrom(sub, service, {file, baseDir: path.dirname(file)}, ctx, [...stack, key]);
  return sub[service] as Obj;
}

function resolveExtendsFrom(services: Obj, name: string, fc: {file: string; baseDir: string}, ctx: Ctx, stack: string[]): void {
  const svc = services[name] as Obj;
  if (!svc.extends) return;
  const ext = svc.extends as {service: string; file?: string};
  const key = `${fc.file}#${ext.service}`;
  if (!ext.file && stack.includes(key)) {
    throw new UserError('E_EXTENDS_CYCLE', `circular reference with extends: ${[...stack, key].map((k) => k.split('#')[1]).join(' → ')}`, {file: fc.file, path: `services.${name}.extends`}, 'break the extends cycle');
  }
  let base: Obj;
  if (ext.file) base = loadExtendedService(ext.file, ext.service, `services.${name}.extends`, fc, ctx, stack);
  else {
    if (!isPlainObject(services[ext.service])) {
      throw new UserError('E_EXTENDS', `service ${JSON.stringify(ext.service)} not found (extended by ${name})`, {file: fc.file, path: `services.${name}.extends.service`}, 'check extends.service');
    }
    resolveExtendsFrom(services, ext.service, fc, ctx, [...stack, key]);
    base = services[ext.service] as Obj;
  }
  const {extends: _drop, ...own} = svc;
  const {extends: _b, ...baseRest} = base;
  services[name] = mergeValues(baseRest, own, `services.${name}`);
}

function chooseProjectName(opts: LoadOptions, env: Env, merged: Obj, workingDir: string): string {
  const explicit = opts.projectName ?? opts.env.COMPOSE_PROJECT_NAME ?? env.lookup('COMPOSE_PROJECT_NAME') ?? (typeof merged.name === 'string' && merged.name ? merged.name : undefined);
  if (explicit) {
    validateProjectName(explicit);
    return explicit;
  }
  return normalizeProjectName(path.basename(workingDir));
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

/** Final shape and cross-references, as `docker compose config` checks them. */
function finishModel(name: string, merged: Obj, services: Record<string, ServiceConfig>, file: string): ComposeModel {
  const networks = isPlainObject(merged.networks) ? {...merged.networks} : {};
  const volumes = isPlainObject(merged.volumes) ? {...merged.volumes} : {};
  let usesDefault = false;
  for (const [sname, svc] of Object.entries(services)) {
    const p = `services.${sname}`;
    if (!svc.network_mode && !svc.networks) {
      svc.networks = {default: null};
    }
    if (svc.networks && !svc.network_mode) {
      for (const n of Object.keys(svc.networks)) {
        if (n === 'default') usesDefault = true;
        else if (!(n in networks)) {
          throw new UserError('E_REFERENCE', `service "${sname}" refers to undefined network ${n}`, {file, path: `${p}.networks.${n}`}, `declare it under the top-level networks: key`);
        }
      }
    }
    for (const [i, v] of (svc.volumes ?? []).entries()) {
      if (v.type === 'volume' && v.source && !(v.source in volumes)) {
        throw new UserError('E_REFERENCE', `service "${sname}" refers to undefined volume ${v.source}`, {file, path: `${p}.volumes[${i}]`}, `declare it under the top-level volumes: key, or use ./${v.source} for a bind mount`);
      }
    }
    for (const dep of Object.keys((svc.depends_on as Obj) ?? {})) {
      if (!(dep in services)) {
        throw new UserError('E_REFERENCE', `service "${sname}" depends on undefined service "${dep}"`, {file, path: `${p}.depends_on`}, 'define that service, or enable its profile with --profile');
      }
    }
  }
  if (usesDefault && !('default' in networks)) networks.default = null;
  for (const [n, def] of Object.entries(networks)) {
    const d = isPlainObject(def) ? def : {};
    networks[n] = d.name || d.external ? d : {...d, name: `${name}_${n}`};
  }
  for (const [n, def] of Object.entries(volumes)) {
    const d = isPlainObject(def) ? def : {};
    volumes[n] = d.name || d.external ? d : {...d, name: `${name}_${n}`};
  }
  const model: ComposeModel = {name, services};
  if (Object.keys(networks).length) model.networks = networks;
  if (Object.keys(volumes).length) model.volumes = volumes;
  for (const [k, v] of Object.entries(merged)) {
    if (k === 'name' || k === 'services' || k === 'networks' || k === 'volumes' || k === 'version' || k === 'include') continue;
    model[k] = v;
  }
  return model;
}
