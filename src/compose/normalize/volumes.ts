/**
 * Service volumes, compose-spec "volumes" (short syntax `[SOURCE:]TARGET[:MODE]` and long
 * syntax), normalised to the long form `docker compose config` prints. Bind sources are
 * resolved against the base directory; `~` expands to HOME; Windows drive paths are kept.
 */
import path from 'node:path';
import {UserError} from '../../errors.js';
import type {ServiceVolume} from '../model.js';

const PROPAGATION = new Set(['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']);
const CONSISTENCY = new Set(['cached', 'delegated', 'consistent']);
const WINDOWS_ABS = /^[a-zA-Z]:[\\/]/;

export interface PathContext {
  file: string;
  baseDir: string;
  home: string;
}

export function isBindSource(src: string): boolean {
  return src.startsWith('.') || src.startsWith('/') || src.startsWith('~') || WINDOWS_ABS.test(src) || src.startsWith('\\\\');
}

/** Resolves a host path the way Compose does: `~` → HOME, relative → base dir, Windows kept. */
export function resolveHostPath(src: string, ctx: PathContext): string {
  if (WINDOWS_ABS.test(src) || src.startsWith('\\\\')) return src;
  if (src === '~' || src.startsWith('~/')) return path.join(ctx.home, src.slice(1));
  return path.resolve(ctx.baseDir, src);
}

export function normalizeVolumes(value: unknown, where: {path: string}, ctx: PathContext): ServiceVolume[] {
  if (!Array.isArray(value)) throw new UserError('E_SCHEMA', `${where.path} must be a list`, {file: ctx.file, path: where.path}, 'volumes: is a list of mounts');
  return value.map((item, i) => {
    const p = `${where.path}[${i}]`;
    if (typeof item === 'string') return parseShortVolume(item, p, ctx);
    return normalizeLong(item as Record<string, unknown>, p, ctx);
  });
}

function splitSpec(spec: string): string[] {
  // A Windows drive letter's colon belongs to the source.
  if (WINDOWS_ABS.test(spec)) {
    const rest = spec.slice(2).split(':');
    return [spec.slice(0, 2) + rest[0], ...rest.slice(1)];
  }
  return spec.split(':');
}

export function parseShortVolume(spec: string, p: string, ctx: PathContext): ServiceVolume {
  const parts = splitSpec(spec);
  if (parts.length > 3 || parts.some((x, i) => x === '' && i < 2)) {
    throw new UserError('E_VOLUME', `invalid volume specification ${JSON.stringify(spec)}`, {file: ctx.file, path: p}, 'use [SOURCE:]TARGET[:ro|rw|z|Z], e.g. "./data:/var/lib/data:ro"');
  }
  if (parts.length === 1) return {type: 'volume', target: parts[0], volume: {}};
  const [source, target, mode] = parts;
  const bind = isBindSource(source);
  const v: ServiceVolume = bind
    ? {type: 'bind', source: resolveHostPath(source, ctx), target, bind: {create_host_path: true}}
    : {type: 'volume', source, target, volume: {}};
  if (mode) {
    for (const opt of mode.split(',')) {
      if (opt === 'ro') v.read_only = true;
      else if (opt === 'rw') continue;
      else if ((opt === 'z' || opt === 'Z') && bind) v.bind!.selinux = opt;
      else if (PROPAGATION.has(opt) && bind) v.bind!.propagation = opt;
      else if (opt === 'nocopy' && !bind) v.volume!.nocopy = true;
      else if (CONSISTENCY.has(opt)) v.consistency = opt;
      else {
        throw new UserError('E_VOLUME', `invalid mode ${JSON.stringify(opt)} in volume ${JSON.stringify(spec)}`, {file: ctx.file, path: p}, 'modes are ro, rw, z, Z, nocopy and shared/slave/private (r-prefixed) propagation');
      }
    }
  }
  return order(v);
}

function normalizeLong(o: Record<string, unknown>, p: string, ctx: PathContext): ServiceVolume {
  const v = {...o} as unknown as ServiceVolume;
  if (typeof v.target !== 'string' || !v.target) {
    throw new UserError('E_VOLUME', `${p}.target is required`, {file: ctx.file, path: `${p}.target`}, 'long-syntax volumes need type and target');
  }
  if (v.type === 'bind' && typeof v.source === 'string') v.source = resolveHostPath(v.source, ctx);
  if (v.type === 'bind' && typeof v.source !== 'string') {
    throw new UserError('E_VOLUME', `${p}.source is required for a bind mount`, {file: ctx.file, path: `${p}.source`}, 'give the host path to mount');
  }
  if (v.type === 'volume' && !v.volume) v.volume = {};
  return order(v);
}

function order(v: ServiceVolume): ServiceVolume {
  const keys = ['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume', 'tmpfs', 'image'];
  const out: Record<string, unknown> = {};
  for (const k of keys) if ((v as any)[k] !== undefined) out[k] = (v as any)[k];
  for (const [k, val] of Object.entries(v)) if (!(k in out) && val !== undefined) out[k] = val;
  return out as unknown as ServiceVolume;
}
