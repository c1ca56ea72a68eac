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

export interface PathContext {
  file: string;
  baseDir: string;
  home: string;
}

/** Short-syntax sources that name a host path rather than a volume (compose-go format/volume.go isFilePath). */
export function isBindSource(src: string): boolean {
  return src.startsWith('.') || src.startsWith('/') || src.startsWith('~') || /^[a-zA-Z]:/.test(src) || src.startsWith('\\\\');
}

/** An empty, `.` or `..` segment somewhere in a path. */
const UNCLEAN_SEGMENT = /\/\/|\/\.\.?(?:\/|$)/;

/** Go's path.Clean: the shortest equivalent slash path (no `.`, `..`, `//`, trailing `/`). */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  // Most paths are already clean (absolute, no such segment, no trailing slash): normalising
  // would return them unchanged, at the cost of a walk and a copy per path.
  if (p.charCodeAt(0) === 47 && (p.length === 1 || p.charCodeAt(p.length - 1) !== 47) && !UNCLEAN_SEGMENT.test(p)) return p;
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** `~` at the start stands for HOME, whatever follows it (compose-go paths.ExpandUser: Join(home, p[1:])). */
function expandUser(p: string, home: string): string {
  return p.startsWith('~') ? cleanPath(path.posix.join(home, p.slice(1))) : p;
}

/**
 * A Windows absolute path: a drive (`C:\`, `C:/`) or a UNC share followed by a separator
 * (compose-go paths/windows_path.go isWindowsAbs; `\\server\share` alone is not absolute).
 */
function isWindowsAbs(p: string): boolean {
  if (/^[a-zA-Z]:[\\/]/.test(p)) return true;
  return /^[\\/]{2}[^\\/.][^\\/]*[\\/][^\\/]+[\\/]/.test(p);
}

/**
 * Resolves a path attribute (build context, env_file, secret/config file) as compose-go's
 * absPath: `~` → HOME, an absolute path is kept as written, a relative one joins the base dir.
 */
export function resolveHostPath(src: string, ctx: PathContext): string {
  const p = expandUser(src, ctx.home);
  if (p.startsWith('/') || p === '') return p;
  return cleanPath(path.posix.join(ctx.baseDir, p));
}

/**
 * Resolves a bind mount source as compose-go's maybeUnixPath: `~` → HOME; absolute Unix or
 * Windows paths are kept exactly as written (Compose does not clean them); anything else
 * joins the base directory (compose-spec "volumes": relative to the Compose file's folder).
 */
export function resolveBindSource(src: string, ctx: PathContext): string {
  const p = expandUser(src, ctx.home);
  if (p.startsWith('/') || isWindowsAbs(p)) return p;
  return joinClean(ctx.baseDir, p);
}

/**
 * `cleanPath(path.posix.join(base, rel))` for a relative `rel`. The usual case, an absolute clean
 * base and `./sub/dir` without `.`/`..`/empty segments, is a concatenation; anything else is
 * normalised as before.
 */
function joinClean(base: string, rel: string): string {
  let r = rel;
  while (r.startsWith('./')) r = r.slice(2);
  if (r !== '' && base !== '/' && cleanPath(base) === base && cleanPath(`/${r}`) === `/${r}`) return `${base}/${r}`;
  return cleanPath(path.posix.join(base, rel));
}

export function normalizeVolumes(value: unknown, where: {path: string}, ctx: PathContext): ServiceVolume[] {
  if (!Array.isArray(value)) throw new UserError('E_SCHEMA', `${where.path} must be a list`, {file: ctx.file, path: where.path}, 'volumes: is a list of mounts');
  return value.map((item, i) => {
    const p = `${where.path}[${i}]`;
    if (typeof item === 'string') return parseShortVolume(item, p, ctx);
    return normalizeLong(item as Record<string, unknown>, p, ctx);
  });
}

const LETTER = /\p{L}/u;

/**
 * Splits `[SOURCE:]TARGET[:MODE]` at colons, keeping a one-letter drive's colon (`C:\\x`) in
 * its field, as compose-go format/volume.go ParseVolume does; an empty field or a fourth one
 * is an error.
 */
function splitSpec(spec: string): string[] | string {
  const fields: string[] = [];
  let start = 0;
  for (let i = spec.indexOf(':'); i >= 0; i = spec.indexOf(':', i + 1)) {
    // A one-letter field before the colon is a drive (`C:`): the colon stays in it.
    if (i - start === 1 && LETTER.test(spec[start])) continue;
    if (i === start) return 'empty section between colons';
    if (fields.length === 2) return 'too many colons';
    fields.push(spec.slice(start, i));
    start = i + 1;
  }
  if (start === spec.length) return 'empty section between colons';
  fields.push(spec.slice(start));
  return fields;
}

/** The short syntax's mode options, applied in order (a later `rw` undoes an earlier `ro`). */
interface Modes {
  readOnly: boolean;
  bind?: NonNullable<ServiceVolume['bind']>;
  volume?: NonNullable<ServiceVolume['volume']>;
}

function applyModes(m: Modes, mode: string, spec: string, where: {file: string; path: string}): void {
  for (const opt of mode.split(',')) {
    if (opt === 'ro') m.readOnly = true;
    else if (opt === 'rw') m.readOnly = false;
    else if (opt === 'nocopy') (m.volume ??= {}).nocopy = true;
    else if (opt === 'z' || opt === 'Z') (m.bind ??= {}).selinux = opt;
    else if (PROPAGATION.has(opt)) (m.bind ??= {}).propagation = opt;
    else if (CONSISTENCY.has(opt)) continue; // Accepted and dropped by Compose (Docker Desktop only).
    else {
      // Compose 2.26 drops unknown options silently; a typo here (`:rx`, `:noexec`) would leave a
      // mount writable behind the user's back, so hardcompose refuses it.
      throw new UserError('E_VOLUME', `invalid mode ${JSON.stringify(opt)} in volume ${JSON.stringify(spec)}`, where, 'modes are ro, rw, z, Z, nocopy and shared/slave/private (r-prefixed) propagation');
    }
  }
}

/**
 * compose-spec "volumes" short syntax: `[SOURCE:]TARGET[:MODE]`; a path-like source makes a bind
 * mount. The result's keys are in the order `docker compose config` prints them (see order()).
 */
export function parseShortVolume(spec: string, p: string, ctx: PathContext): ServiceVolume {
  const where = {file: ctx.file, path: p};
  // One or two characters are always an anonymous volume's target (compose-go ParseVolume).
  const fields = spec.length <= 2 ? [spec] : splitSpec(spec);
  if (typeof fields === 'string' || spec === '') {
    throw new UserError('E_VOLUME', `invalid volume specification ${JSON.stringify(spec)}: ${fields || 'empty'}`, where, 'use [SOURCE:]TARGET[:ro|rw|z|Z], e.g. "./data:/var/lib/data:ro"');
  }
  if (fields.length === 1) return spec.length <= 2 ? {type: 'volume', target: fields[0]} : {type: 'volume', target: cleanPath(fields[0]), volume: {}};
  const source = fields[0];
  const target = fields[1];
  const mode = fields[2];
  const bind = isBindSource(source);
  const m: Modes = bind ? {readOnly: false, bind: {create_host_path: true}} : {readOnly: false, volume: {}};
  const v: ServiceVolume = {type: bind ? 'bind' : 'volume', source: bind ? resolveBindSource(source, ctx) : source, target: cleanPath(target)};
  if (mode) applyModes(m, mode, spec, where);
  if (m.readOnly) v.read_only = true;
  if (m.bind) v.bind = m.bind;
  if (m.volume) v.volume = m.volume;
  return v;
}

function normalizeLong(o: Record<string, unknown>, p: string, ctx: PathContext): ServiceVolume {
  const v = {...o} as unknown as ServiceVolume;
  if (typeof v.target !== 'string' || !v.target) {
    throw new UserError('E_VOLUME', `${p}.target is required`, {file: ctx.file, path: `${p}.target`}, 'long-syntax volumes need type and target');
  }
  // The long syntax's target is cleaned only when the model is finished (finalize.ts): Compose
  // de-duplicates on the target as written, so `/x/` and `/x` are two mounts to it.
  if (v.type === 'bind' && typeof v.source === 'string') v.source = resolveBindSource(v.source, ctx);
  if (v.type === 'bind' && typeof v.source !== 'string') {
    throw new UserError('E_VOLUME', `${p}.source is required for a bind mount`, {file: ctx.file, path: `${p}.source`}, 'give the host path to mount');
  }
  return order(v);
}

/** Long-syntax keys in the order `docker compose config` prints them; any other key follows. */
const KEY_ORDER = ['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume', 'tmpfs', 'image'];

function order(v: ServiceVolume): ServiceVolume {
  const src = v as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (src[k] !== undefined) out[k] = src[k];
  for (const k of Object.keys(src)) if (!(k in out) && src[k] !== undefined) out[k] = src[k];
  return out as unknown as ServiceVolume;
}
