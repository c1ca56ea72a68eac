/**
 * Port mappings, compose-spec "ports": short syntax `[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]`
 * (IPv6 host addresses in brackets) and long syntax, normalised to the long form
 * `docker compose config` prints: one entry per container port, `published` as a string.
 */
import {isIP} from 'node:net';
import {UserError} from '../../errors.js';
import type {PortConfig} from '../model.js';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

export function normalizePorts(value: unknown, where: {file: string; path: string}): PortConfig[] {
  if (!Array.isArray(value)) throw bad(where.path, where.file, 'a list of ports');
  const out: PortConfig[] = [];
  value.forEach((item, i) => {
    const path = `${where.path}[${i}]`;
    if (typeof item === 'number') out.push(...parseShort(String(item), {file: where.file, path}));
    else if (typeof item === 'string') out.push(...parseShort(item, {file: where.file, path}));
    else if (item && typeof item === 'object') out.push(parseLong(item as Record<string, unknown>, {file: where.file, path}));
    else throw bad(path, where.file, 'a port string, number or mapping');
  });
  return out;
}

function parseLong(o: Record<string, unknown>, where: {file: string; path: string}): PortConfig {
  const target = toPort(o.target, where, 'target');
  const p: PortConfig = {mode: typeof o.mode === 'string' ? o.mode : 'ingress', target, protocol: 'tcp'};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'target' || k === 'mode') continue;
    if (k === 'published') {
      if (v === undefined || v === null || v === '') continue;
      const s = String(v);
      if (!/^\d+(-\d+)?$/.test(s)) throw bad(`${where.path}.published`, where.file, 'a port number or range such as 8080 or 8000-8010');
      // A YAML integer stays a number until the model is finished (finalize.ts): Compose 2.26
      // keys it apart from the same port written as a string when de-duplicating.
      p.published = (typeof v === 'number' ? v : s) as string;
    } else if (k === 'protocol') {
      // Kept as written, as Compose prints it; only its meaning is checked.
      p.protocol = String(v);
      if (!PROTOCOLS.has(p.protocol.toLowerCase())) throw bad(`${where.path}.protocol`, where.file, 'tcp, udp or sctp');
    } else (p as unknown as Record<string, unknown>)[k] = v;
  }
  return p;
}

function toPort(v: unknown, where: {file: string; path: string}, key: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw bad(`${where.path}.${key}`, where.file, 'a port number between 0 and 65535');
  return n;
}

function parseRange(s: string, where: {file: string; path: string}, raw: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw badSpec(raw, where);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > 65535 || b > 65535 || b < a) throw badSpec(raw, where);
  return [a, b];
}

/**
 * `[HOST_IP:][HOST:]CONTAINER` (docker/go-connections nat.ParsePortSpec): an IPv6 host address
 * must be in brackets and then comes with a host port field (possibly empty: `[::1]::80`).
 */
function splitFields(spec: string, raw: string, where: {file: string; path: string}): {hostIp?: string; host?: string; container: string} {
  if (spec.startsWith('[')) {
    const end = spec.indexOf(']');
    const rest = end < 0 ? [] : spec.slice(end + 1).split(':');
    if (end < 0 || rest.length !== 3 || rest[0] !== '') throw badSpec(raw, where);
    return {hostIp: spec.slice(1, end), host: rest[1], container: rest[2]};
  }
  const parts = spec.split(':');
  if (parts.length === 1) return {container: parts[0]};
  if (parts.length === 2) return {host: parts[0], container: parts[1]};
  if (parts.length === 3) return {hostIp: parts[0], host: parts[1], container: parts[2]};
  throw new UserError('E_PORT', `invalid port specification ${JSON.stringify(raw)}: too many colons`, where, 'an IPv6 host address goes in brackets: "[::1]:8080:80"');
}

/** Parses one short-syntax entry into one or more long-syntax entries. */
export function parseShort(raw: string, where: {file: string; path: string}): PortConfig[] {
  let spec = raw.trim();
  let protocol = 'tcp';
  const slash = spec.lastIndexOf('/');
  if (slash >= 0) {
    protocol = spec.slice(slash + 1).toLowerCase();
    spec = spec.slice(0, slash);
    if (!PROTOCOLS.has(protocol)) throw badSpec(raw, where);
  }
  const fields = splitFields(spec, raw, where);
  const {container} = fields;
  const host = fields.host ?? '';
  const hostIp = fields.hostIp;
  if (hostIp && (!isIP(hostIp) || hostIp.includes('%'))) {
    throw new UserError('E_PORT', `invalid host IP ${JSON.stringify(hostIp)} in port ${JSON.stringify(raw)}`, where, 'write an IPv4 address, or an IPv6 address in brackets: "[::1]:8080:80"');
  }
  const range = parseRange(container, where, raw);
  const c0 = range[0];
  const c1 = range[1];
  if (c0 === 0) throw new UserError('E_PORT', `port ${JSON.stringify(raw)} has no container port`, where, 'the container port is the last number, and cannot be 0');
  const count = c1 - c0 + 1;
  const out: PortConfig[] = [];
  let hostRange: [number, number] | undefined;
  if (host !== '') hostRange = parseRange(host, where, raw);
  if (hostRange && hostRange[1] - hostRange[0] + 1 !== count && count !== 1) throw badSpec(raw, where);
  for (let i = 0; i < count; i++) {
    const p: PortConfig = {mode: 'ingress', target: c0 + i, protocol};
    if (hostIp) p.host_ip = hostIp;
    if (hostRange) {
      if (count === 1 && hostRange[0] !== hostRange[1]) p.published = `${hostRange[0]}-${hostRange[1]}`;
      else p.published = String(hostRange[0] + i);
    }
    out.push(orderKeys(p));
  }
  return out;
}

function orderKeys(p: PortConfig): PortConfig {
  const o: PortConfig = {mode: p.mode, target: p.target, protocol: p.protocol};
  if (p.host_ip !== undefined) o.host_ip = p.host_ip;
  if (p.published !== undefined) o.published = p.published;
  return o;
}

function badSpec(raw: string, where: {file: string; path: string}): UserError {
  return new UserError('E_PORT', `invalid port specification ${JSON.stringify(raw)}`, where, 'use [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp|sctp], e.g. "127.0.0.1:8080:80/tcp"');
}

function bad(path: string, file: string, expected: string): UserError {
  return new UserError('E_SCHEMA', `${path} must be ${expected}`, {file, path}, 'see the Compose file reference for ports');
}

/**
 * The merge key of a port (compose-spec merge.md "Unique resources"; compose-go portIndexer):
 * no host_ip means all interfaces, the same binding as an explicit 0.0.0.0; a long-syntax
 * `published` written as a YAML integer does not match the same port written as a string
 * (Compose 2.26 formats the two differently in its key).
 */
export function portKey(p: PortConfig): string {
  const pub: unknown = p.published;
  const published = typeof pub === 'number' ? `int:${pub}` : (pub ?? '');
  return `${p.host_ip ?? '0.0.0.0'}:${published}:${p.target}/${p.protocol}`;
}
