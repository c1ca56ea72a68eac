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

export function finalizeService(svc: ServiceConfig): void {
  if (svc.extra_hosts !== undefined) svc.extra_hosts = canonicalExtraHosts(svc.extra_hosts);
  if (Array.isArray(svc.ports)) {
    svc.ports = svc.ports.map((p) => (typeof (p.published as unknown) === 'number' ? {...p, published: String(p.published)} : p));
  }
  if (Array.isArray(svc.volumes)) {
    svc.volumes = svc.volumes.map((v) => (typeof v.target === 'string' && v.target !== cleanPath(v.target) ? {...v, target: cleanPath(v.target)} : v));
  }
}
