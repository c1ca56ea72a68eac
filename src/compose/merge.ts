/**
 * Merging compose files, compose-spec merge.md: mappings merge, sequences append, a few
 * shell-command sequences are replaced, and sequences of unique resources are then
 * de-duplicated by key, a later entry replacing an earlier one in place (volumes and devices by
 * target, ports by host_ip:published:target/protocol, secrets/configs by target, capabilities,
 * dns, expose, tmpfs, … by value). `security_opt` is appended and NOT de-duplicated; Compose
 * then rejects a repeated entry (docker/compose#11777), see `findRepeated`.
 */
import {portKey} from './normalize/ports.js';
import type {PortConfig} from './model.js';

type Obj = Record<string, unknown>;

/** Sequences replaced rather than appended (merge.md "Shell commands"). */
const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);

const byValue = (v: unknown): string => String(v);
/** `KEY=VALUE` entries are keyed by KEY (compose-go keyValueIndexer). */
const byKeyBeforeEquals = (v: unknown): string => String(v).split('=')[0];
const byTarget = (v: unknown): string => {
  const o = v as {target?: unknown; source?: unknown} | null;
  return typeof o === 'object' && o ? String(o.target ?? o.source) : String(v);
};

/**
 * Service sequences merged as unique resources (merge.md "Unique resources"), with the key
 * Compose 2.26 uses for each; the canonical (long) form is assumed.
 */
const UNIQUE: Record<string, (v: unknown) => string> = {
  volumes: byTarget,
  devices: byTarget,
  secrets: byTarget,
  configs: byTarget,
  ports: (v) => (typeof v === 'object' && v ? portKey(v as PortConfig) : String(v)),
  expose: byValue,
  cap_add: byValue,
  cap_drop: byValue,
  dns: byValue,
  dns_search: byValue,
  dns_opt: byValue,
  links: byValue,
  profiles: byValue,
  tmpfs: byKeyBeforeEquals,
  env_file: (v) => (typeof v === 'string' ? v : String((v as {path?: unknown})?.path)),
};

const UNIQUE_KEYS = Object.keys(UNIQUE);

/**
 * Service sequences Compose appends without de-duplicating and whose schema then forbids a
 * repeated item: a repeat is an error, not something to merge away.
 */
export const NOT_REPEATED = ['security_opt', 'external_links', 'group_add', 'volumes_from', 'extra_hosts'] as const;

export function isPlainObject(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** The path of a value inside a service (`healthcheck.test`), or undefined outside services. */
function servicePath(path: string): string | undefined {
  const m = /^services\.[^.]+\.(.+)$/.exec(path);
  return m?.[1];
}

/** Merges `over` onto `base` (merge.md); neither input is modified. `path` is the compose path of both. */
export function mergeValues(base: unknown, over: unknown, path: string): unknown {
  if (base === undefined) return over;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Obj = {...base};
    for (const [k, v] of Object.entries(over)) out[k] = mergeValues(base[k], v, path ? `${path}.${k}` : k);
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    const sp = servicePath(path);
    if (sp !== undefined && REPLACED.has(sp)) return over;
    return [...base, ...over];
  }
  return over;
}

/** Keeps one entry per key, a later entry replacing the earlier one at its place (compose-go EnforceUnicity). */
export function dedupeByKey(list: readonly unknown[], key: (v: unknown) => string): unknown[] {
  const out: unknown[] = [];
  const at = new Map<string, number>();
  for (const v of list) {
    const k = key(v);
    const i = at.get(k);
    if (i === undefined) {
      at.set(k, out.length);
      out.push(v);
    } else out[i] = v;
  }
  return out;
}

/** De-duplicates the unique-resource sequences of every service of a canonical model, in place. */
export function enforceUnicity(model: Obj): void {
  if (!isPlainObject(model.services)) return;
  for (const svc of Object.values(model.services)) {
    if (!isPlainObject(svc)) continue;
    for (let i = 0; i < UNIQUE_KEYS.length; i++) {
      const k = UNIQUE_KEYS[i];
      if (Array.isArray(svc[k])) svc[k] = dedupeByKey(svc[k] as unknown[], UNIQUE[k]);
    }
  }
}

/**
 * The first sequence of NOT_REPEATED that holds an item twice, as `{path, item}`
 * (e.g. `services.app.security_opt`), or undefined.
 */
export function findRepeated(model: Obj): {path: string; item: string} | undefined {
  if (!isPlainObject(model.services)) return undefined;
  const services = model.services;
  const names = Object.keys(services);
  for (let n = 0; n < names.length; n++) {
    const name = names[n];
    const svc = services[name];
    if (!isPlainObject(svc)) continue;
    for (let i = 0; i < NOT_REPEATED.length; i++) {
      const k = NOT_REPEATED[i];
      const list = svc[k];
      if (!Array.isArray(list)) continue;
      const seen = new Set<string>();
      for (const item of list) {
        const s = JSON.stringify(item);
        if (seen.has(s)) return {path: `services.${name}.${k}`, item: typeof item === 'string' ? item : s};
        seen.add(s);
      }
    }
  }
  return undefined;
}
