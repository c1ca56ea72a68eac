/**
 * The last touches Compose gives a service once every file is merged: long-syntax port
 * `published` values become strings, volume targets are cleaned, extra_hosts become sorted
 * `host=ip` entries. Before this, they keep the form Compose de-duplicates on (merge.ts).
 */
import type {ServiceConfig} from '../model.js';
import {cleanPath} from './volumes.js';

/** compose-spec "extra_hosts": `host:ip`, `host=ip` or a mapping, printed as sorted `host=ip` (IPv6 without brackets). */
function canonicalExtraHosts(v: unknown): unknown {
  const entries = Array.isArray(v)
    ? v.map((e) => {
        const s = String(e);
        const i = s.search(/[=:]/);
        return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
      })
    : v && typeof v === 'object'
      ? Object.entries(v).map(([h, ip]) => [h, String(ip ?? '')])
      : undefined;
  if (!entries) return v;
  return entries.map(([h, ip]) => `${h}=${ip.replace(/^\[(.*)\]$/, '$1')}`).sort();
}

type Dependency = {condition: string; restart?: boolean; required: boolean};

/**
 * compose-go Normalize: a service sharing another's network, pid or ipc namespace, linking to it
 * or mounting its volumes depends on it; explicit depends_on entries default to required.
 */
function withImplicitDependencies(svc: ServiceConfig): void {
  const deps: Record<string, Dependency> = {};
  for (const [name, d] of Object.entries((svc.depends_on as Record<string, Partial<Dependency>> | undefined) ?? {})) deps[name] = {condition: 'service_started', ...d, required: d?.required ?? true};
  const add = (name: string, restart: boolean) => {
    if (!(name in deps)) deps[name] = restart ? {condition: 'service_started', restart: true, required: true} : {condition: 'service_started', required: true};
  };
  for (const key of ['network_mode', 'pid', 'ipc'] as const) {
    const v = svc[key];
    if (typeof v === 'string' && v.startsWith('service:')) add(v.slice('service:'.length), true);
  }
  for (const l of (svc.links as unknown[] | undefined) ?? []) add(String(l).split(':')[0], true);
  for (const v of (svc.volumes_from as unknown[] | undefined) ?? []) if (!String(v).startsWith('container:')) add(String(v).split(':')[0], false);
  if (Object.keys(deps).length) svc.depends_on = deps;
}

export function finalizeService(svc: ServiceConfig): void {
  withImplicitDependencies(svc);
  if (svc.extra_hosts !== undefined) svc.extra_hosts = canonicalExtraHosts(svc.extra_hosts);
  if (Array.isArray(svc.ports)) {
    svc.ports = svc.ports.map((p) => (typeof (p.published as unknown) === 'number' ? {...p, published: String(p.published)} : p));
  }
  if (Array.isArray(svc.volumes)) {
    svc.volumes = svc.volumes.map((v) => (typeof v.target === 'string' && v.target !== cleanPath(v.target) ? {...v, target: cleanPath(v.target)} : v));
  }
}
