/**
 * The last touches Compose gives a service once every file is merged: long-syntax port
 * `published` values become strings, volume targets are cleaned. Before this, they keep the
 * form Compose de-duplicates on (merge.ts).
 */
import type {ServiceConfig} from '../model.js';
import {cleanPath} from './volumes.js';

export function finalizeService(svc: ServiceConfig): void {
  if (Array.isArray(svc.ports)) {
    svc.ports = svc.ports.map((p) => (typeof (p.published as unknown) === 'number' ? {...p, published: String(p.published)} : p));
  }
  if (Array.isArray(svc.volumes)) {
    svc.volumes = svc.volumes.map((v) => (typeof v.target === 'string' && v.target !== cleanPath(v.target) ? {...v, target: cleanPath(v.target)} : v));
  }
}
