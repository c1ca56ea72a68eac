/**
 * The cross-references `docker compose config` checks once files are merged and profiles
 * applied (compose-go loader checkConsistency): every service has an image or a build; the
 * services, networks, volumes, secrets and configs it names exist; `network_mode` and
 * `networks` are not both set.
 */
import {UserError} from '../errors.js';
import {isPlainObject} from './merge.js';
import type {ServiceConfig} from './model.js';

type Obj = Record<string, unknown>;

export interface ConsistencyInput {
  /** Active services (after profiles). */
  services: Record<string, ServiceConfig>;
  /** Every service defined, active or not. */
  defined: ReadonlySet<string>;
  networks: Obj;
  volumes: Obj;
  secrets: Obj;
  configs: Obj;
  /** The file named in messages (the first compose file). */
  file: string;
}

function refError(message: string, file: string, path: string, hint: string): UserError {
  return new UserError('E_REFERENCE', message, {file, path}, hint);
}

/** `service:NAME` in network_mode, pid or ipc names a service. */
function serviceRef(v: unknown): string | undefined {
  return typeof v === 'string' && v.startsWith('service:') ? v.slice('service:'.length) : undefined;
}

/**
 * Services this one depends on by name, with the compose path that names each and whether the
 * dependency is required (only `depends_on.X.required: false` is not).
 */
function serviceDependencies(name: string, svc: ServiceConfig): Array<{dep: string; path: string; required: boolean}> {
  const p = `services.${name}`;
  const out: Array<{dep: string; path: string; required: boolean}> = [];
  const dependsOn = (svc.depends_on as Obj) ?? {};
  const deps = Object.keys(dependsOn);
  for (let i = 0; i < deps.length; i++) {
    const dep = deps[i];
    const cond = dependsOn[dep];
    out.push({dep, path: `${p}.depends_on.${dep}`, required: !(isPlainObject(cond) && cond.required === false)});
  }
  for (const key of ['network_mode', 'pid', 'ipc'] as const) {
    const dep = serviceRef(svc[key]);
    if (dep) out.push({dep, path: `${p}.${key}`, required: true});
  }
  ((svc.volumes_from as unknown[]) ?? []).forEach((v, i) => {
    const s = String(v);
    if (!s.startsWith('container:')) out.push({dep: s.split(':')[0], path: `${p}.volumes_from[${i}]`, required: true});
  });
  ((svc.links as unknown[]) ?? []).forEach((v, i) => out.push({dep: String(v).split(':')[0], path: `${p}.links[${i}]`, required: true}));
  return out;
}

function checkService(name: string, svc: ServiceConfig, c: ConsistencyInput): void {
  const p = `services.${name}`;
  if (svc.image === undefined && svc.build === undefined) {
    throw refError(`service "${name}" has neither an image nor a build context specified`, c.file, p, 'add image: or build:');
  }
  for (const {dep, path, required} of serviceDependencies(name, svc)) {
    const missing = !c.defined.has(dep) || (!(dep in c.services) && required);
    if (missing) throw refError(`service "${name}" depends on undefined service "${dep}"`, c.file, path, c.defined.has(dep) ? `enable the profile of "${dep}" with --profile` : 'define that service');
  }
  if (svc.network_mode !== undefined && svc.networks !== undefined) {
    throw refError(`service "${name}" declares mutually exclusive network_mode and networks`, c.file, p, 'keep one of them');
  }
  for (const n of Object.keys(svc.networks ?? {})) {
    if (n !== 'default' && !(n in c.networks)) throw refError(`service "${name}" refers to undefined network ${n}`, c.file, `${p}.networks.${n}`, 'declare it under the top-level networks: key');
  }
  const volumes = svc.volumes ?? [];
  for (let i = 0; i < volumes.length; i++) {
    const v = volumes[i];
    if (v.type === 'volume' && v.source && !(v.source in c.volumes)) {
      throw refError(`service "${name}" refers to undefined volume ${v.source}`, c.file, `${p}.volumes[${i}]`, `declare it under the top-level volumes: key, or write ./${v.source} for a bind mount`);
    }
  }
  checkMounted(name, svc, 'secrets', c.secrets, c);
  checkMounted(name, svc, 'configs', c.configs, c);
}

function checkMounted(name: string, svc: ServiceConfig, key: 'secrets' | 'configs', defined: Obj, c: ConsistencyInput): void {
  const list = (svc[key] as Obj[]) ?? [];
  for (let i = 0; i < list.length; i++) {
    const src = String(list[i].source);
    if (!(src in defined)) throw refError(`service "${name}" refers to undefined ${key.slice(0, -1)} ${src}`, c.file, `services.${name}.${key}[${i}]`, `declare it under the top-level ${key}: key`);
  }
}

/** Throws the first inconsistency, services in name order so the message is stable. */
export function checkConsistency(c: ConsistencyInput): void {
  for (const name of Object.keys(c.services).sort()) checkService(name, c.services[name], c);
}
