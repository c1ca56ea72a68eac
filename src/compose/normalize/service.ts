/**
 * Canonical form of one service (compose-spec "Services top-level element"): every attribute
 * that has a short and a long syntax is turned into the long one, so merging and planning
 * read one shape.
 */
import path from 'node:path';
import {isPlainObject} from '../merge.js';
import {normalizeDevices} from './devices.js';
import {normalizePorts} from './ports.js';
import {type PathContext, normalizeVolumes, resolveHostPath} from './volumes.js';

type Obj = Record<string, unknown>;

/** Applies `fn` to one attribute's value (documents are untagged before they get here, see reset.ts). */
function mapTagged(v: unknown, fn: (x: unknown) => unknown): unknown {
  return fn(v);
}

function listToMap(v: unknown, sep = '='): unknown {
  if (!Array.isArray(v)) return v;
  const out: Obj = {};
  for (const item of v) {
    const s = String(item);
    const i = s.indexOf(sep);
    if (i < 0) out[s] = null;
    else out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

function stringValues(v: unknown, empty: null | ''): unknown {
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null || x === undefined ? empty : String(x)]));
}

function toList(v: unknown): unknown {
  return typeof v === 'string' ? [v] : v;
}

/** Attributes whose single string means a one-item list. */
const AS_LIST = ['tmpfs', 'dns', 'dns_search', 'env_file', 'label_file'];
/** Attributes written as a `KEY=VALUE` list or a mapping, kept as a mapping. */
const AS_MAP = ['environment', 'labels', 'annotations', 'sysctls'];
/** Secrets and configs, and where their short syntax mounts them. */
const MOUNTED = [['secrets', '/run/secrets/'], ['configs', '/']] as const;

export function canonicalService(name: string, svc: Obj, ctx: PathContext): Obj {
  const p = `services.${name}`;
  const out: Obj = {...svc};
  const at = (k: string) => ({file: ctx.file, path: `${p}.${k}`});
  if ('ports' in out) out.ports = mapTagged(out.ports, (v) => normalizePorts(v, at('ports')));
  if ('volumes' in out) out.volumes = mapTagged(out.volumes, (v) => normalizeVolumes(v, at('volumes'), ctx));
  if ('devices' in out) out.devices = mapTagged(out.devices, (v) => normalizeDevices(v, at('devices')));
  for (let i = 0; i < AS_LIST.length; i++) {
    const k = AS_LIST[i];
    if (k in out) out[k] = mapTagged(out[k], toList);
  }
  if ('expose' in out) out.expose = mapTagged(out.expose, (v) => (Array.isArray(v) ? v.map(String) : v));
  // Values are strings once loaded (`PORT: 8000` is "8000"); an environment entry without a value
  // stays null (taken from the shell at run time), a label without one is "".
  for (let i = 0; i < AS_MAP.length; i++) {
    const k = AS_MAP[i];
    if (k in out) out[k] = mapTagged(out[k], (v) => stringValues(listToMap(v), k === 'environment' ? null : ''));
  }
  // Short-syntax secrets and configs mount at /run/secrets/<name> and /<name> (compose-spec "secrets", "configs").
  for (let i = 0; i < MOUNTED.length; i++) {
    const k = MOUNTED[i][0];
    const dir = MOUNTED[i][1];
    if (k in out) {
      out[k] = mapTagged(out[k], (v) =>
        Array.isArray(v)
          ? v.map((e) => {
              const o: Obj = typeof e === 'string' ? {source: e} : {...(e as Obj)};
              if (typeof o.target !== 'string') o.target = `${dir}${o.source}`;
              else if (k === 'secrets' && !o.target.startsWith('/')) o.target = `${dir}${o.target}`;
              return o;
            })
          : v,
      );
    }
  }
  if ('extra_hosts' in out) out.extra_hosts = mapTagged(out.extra_hosts, (v) => v);
  if ('networks' in out) {
    out.networks = mapTagged(out.networks, (v) => (Array.isArray(v) ? Object.fromEntries(v.map((n) => [String(n), null])) : v));
  }
  if ('depends_on' in out) {
    out.depends_on = mapTagged(out.depends_on, (v) =>
      Array.isArray(v) ? Object.fromEntries(v.map((n) => [String(n), {condition: 'service_started', required: true}])) : v,
    );
  }
  if ('env_file' in out) {
    out.env_file = mapTagged(out.env_file, (v) =>
      (v as unknown[]).map((e) => (typeof e === 'string' ? resolveHostPath(e, ctx) : isPlainObject(e) ? {...e, path: resolveHostPath(String(e.path), ctx)} : e)),
    );
  }
  if ('build' in out) {
    out.build = mapTagged(out.build, (v) => {
      const b: Obj = typeof v === 'string' ? {context: v} : isPlainObject(v) ? {...v} : {};
      const c = typeof b.context === 'string' ? b.context : '.';
      // Remote contexts (git URLs, http) stay as written.
      b.context = /^[a-z]+:\/\//i.test(c) || c.startsWith('git@') ? c : resolveHostPath(c, ctx);
      if (b.dockerfile === undefined) b.dockerfile = 'Dockerfile';
      if (b.args !== undefined) b.args = stringValues(listToMap(b.args), null);
      return b;
    });
  }
  if (isPlainObject(out.extends) || typeof out.extends === 'string') {
    const e: Obj = typeof out.extends === 'string' ? {service: out.extends} : {...(out.extends as Obj)};
    if (typeof e.file === 'string') e.file = path.resolve(ctx.baseDir, e.file);
    out.extends = e;
  }
  return out;
}

/** Resolves relative `file:` paths of top-level secrets and configs. */
export function canonicalTopLevel(doc: Obj, ctx: PathContext): void {
  for (const key of ['secrets', 'configs']) {
    const section = doc[key];
    if (!isPlainObject(section)) continue;
    for (const [n, def] of Object.entries(section)) {
      if (isPlainObject(def) && typeof def.file === 'string') section[n] = {...def, file: resolveHostPath(def.file, ctx)};
    }
  }
}
