/**
 * Merging compose files, compose-spec "Merge": mappings merge, sequences append, unique
 * resources de-duplicated by key (volumes by target, ports by host_ip:published:target/proto,
 * devices by target, secrets/configs by target), shell commands replaced; `!reset` removes
 * and `!override` replaces. `security_opt` is appended and not de-duplicated (compose#11777).
 */
import {portKey} from './normalize/ports.js';
import type {PortConfig} from './model.js';
import {OverrideTag, ResetTag} from './yaml.js';

type Obj = Record<string, unknown>;

/** Sequences replaced rather than appended. Paths use `*` for any service name. */
const REPLACED = new Set(['services.*.command', 'services.*.entrypoint', 'services.*.healthcheck.test']);

/** Key functions for sequences merged as unique resources. */
const UNIQUE: Record<string, (v: any) => string> = {
  'services.*.volumes': (v) => v?.target ?? JSON.stringify(v),
  'services.*.ports': (v) => (typeof v === 'object' && v ? portKey(v as PortConfig) : String(v)),
  'services.*.devices': (v) => v?.target ?? JSON.stringify(v),
  'services.*.secrets': (v) => (typeof v === 'string' ? v : v?.target ?? v?.source),
  'services.*.configs': (v) => (typeof v === 'string' ? v : v?.target ?? v?.source),
  'services.*.expose': (v) => String(v),
  'services.*.cap_add': (v) => String(v),
  'services.*.cap_drop': (v) => String(v),
  'services.*.dns': (v) => String(v),
  'services.*.dns_search': (v) => String(v),
  'services.*.dns_opt': (v) => String(v),
  'services.*.env_file': (v) => (typeof v === 'string' ? v : v?.path),
  'services.*.profiles': (v) => String(v),
  'services.*.tmpfs': (v) => String(v),
  'services.*.external_links': (v) => String(v),
  'services.*.links': (v) => String(v),
  'services.*.volumes_from': (v) => String(v),
  'services.*.group_add': (v) => String(v),
};

function pattern(path: string): string {
  return path.replace(/^services\.[^.]+/, 'services.*');
}

export function isPlainObject(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Removes `!reset`/`!override` wrappers from a tree that merges onto nothing. */
export function unwrapTags(v: unknown): unknown {
  if (v instanceof ResetTag) return undefined;
  if (v instanceof OverrideTag) return unwrapTags(v.value);
  if (Array.isArray(v)) return v.map(unwrapTags).filter((x) => x !== undefined);
  if (isPlainObject(v)) {
    const out: Obj = {};
    for (const [k, val] of Object.entries(v)) {
      const u = unwrapTags(val);
      if (u !== undefined) out[k] = u;
    }
    return out;
  }
  return v;
}

/** Merges `over` onto `base`; neither input is modified. `path` is the compose path of both. */
export function mergeValues(base: unknown, over: unknown, path: string): unknown {
  if (over instanceof ResetTag) return undefined;
  if (over instanceof OverrideTag) return unwrapTags(over.value);
  if (base === undefined) return unwrapTags(over);
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Obj = {...base};
    for (const [k, v] of Object.entries(over)) {
      const merged = mergeValues(base[k], v, path ? `${path}.${k}` : k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    const pat = pattern(path);
    const next = unwrapTags(over) as unknown[];
    if (REPLACED.has(pat)) return next;
    const key = UNIQUE[pat];
    if (!key) return [...base, ...next];
    return mergeUnique(base, next, key);
  }
  return unwrapTags(over);
}

/** Appends, replacing earlier entries that share a key in place (one pass, no quadratic scan). */
export function mergeUnique(base: unknown[], over: unknown[], key: (v: unknown) => string): unknown[] {
  const out = [...base];
  const index = new Map<string, number>();
  out.forEach((v, i) => index.set(key(v), i));
  for (const v of over) {
    const k = key(v);
    const at = index.get(k);
    if (at === undefined) {
      index.set(k, out.length);
      out.push(v);
    } else out[at] = v;
  }
  return out;
}
