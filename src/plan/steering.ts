/**
 * The `x-hardcompose` extension: how users steer the plan, at top level and per service.
 * Validated here with messages that name the compose path, like the rest of the file.
 *
 *   x-hardcompose:            # top level
 *     backend: apparmor|selinux
 *     level: baseline|strict
 *     mode: enforce|complain
 *   services:
 *     web:
 *       x-hardcompose:
 *         level: strict
 *         mode: complain
 *         skip: "reason"          # or true: no policy for this service (a finding says so)
 *         read: [/srv/www]        # extra paths
 *         write: [/var/cache/app]
 *         exec: [/opt/app/bin]
 *         capabilities: [NET_ADMIN]
 *         network: {raw: true, ports: [8080/tcp]}   # raw sockets; extra ports it may bind
 */
import {UserError} from '../errors.js';
import {PORT_ENTRY} from '../learn/allowances.js';
import type {Backend, Level, Mode} from './types.js';

export interface TopSteering {
  backend?: Backend;
  level?: Level;
  mode?: Mode;
}

export interface Steering {
  level?: Level;
  mode?: Mode;
  skip?: string;
  read: string[];
  write: string[];
  exec: string[];
  capabilities: string[];
  raw?: boolean;
  /** Extra ports the service may bind (`8080/tcp`, `9000-9010/udp`). */
  ports: string[];
}

const SERVICE_KEYS = new Set(['level', 'mode', 'skip', 'read', 'write', 'exec', 'capabilities', 'network']);
const TOP_KEYS = new Set(['backend', 'level', 'mode']);

function fail(path: string, message: string, hint: string): never {
  throw new UserError('E_X_HARDCOMPOSE', `${path}: ${message}`, {path}, hint);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): T | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(path, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`, 'fix the value');
  return v as T;
}

function strings(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(path, 'expected a list of strings', 'write it as a YAML list, e.g. [/var/cache/app]');
  return v as string[];
}

export function parseTopSteering(v: unknown): TopSteering {
  const at = 'x-hardcompose';
  if (v === undefined || v === null) return {};
  if (!isObj(v)) fail(at, 'expected a mapping', 'e.g. x-hardcompose: {level: strict}');
  for (const k of Object.keys(v)) if (!TOP_KEYS.has(k)) fail(`${at}.${k}`, 'unknown key', `top-level keys are ${[...TOP_KEYS].join(', ')}`);
  return {
    backend: oneOf(v.backend, ['apparmor', 'selinux'] as const, `${at}.backend`),
    level: oneOf(v.level, ['baseline', 'strict'] as const, `${at}.level`),
    mode: oneOf(v.mode, ['enforce', 'complain'] as const, `${at}.mode`),
  };
}

export function parseSteering(v: unknown, service: string): Steering {
  const at = `services.${service}.x-hardcompose`;
  const empty: Steering = {read: [], write: [], exec: [], capabilities: [], ports: []};
  if (v === undefined || v === null) return empty;
  if (!isObj(v)) fail(at, 'expected a mapping', 'e.g. x-hardcompose: {write: [/var/cache/app]}');
  for (const k of Object.keys(v)) if (!SERVICE_KEYS.has(k)) fail(`${at}.${k}`, 'unknown key', `service keys are ${[...SERVICE_KEYS].join(', ')}`);
  let skip: string | undefined;
  if (v.skip === true) skip = 'x-hardcompose.skip';
  else if (typeof v.skip === 'string' && v.skip) skip = v.skip;
  else if (v.skip !== undefined && v.skip !== false && v.skip !== null) fail(`${at}.skip`, 'expected true or a reason', 'e.g. skip: "runs its own AppArmor profile"');
  let raw: boolean | undefined;
  let ports: string[] = [];
  if (v.network !== undefined) {
    if (!isObj(v.network)) fail(`${at}.network`, 'expected a mapping', 'e.g. network: {raw: true}');
    for (const k of Object.keys(v.network)) if (k !== 'raw' && k !== 'ports') fail(`${at}.network.${k}`, 'unknown key', 'network allows raw: true|false and ports: [8080/tcp]');
    if (v.network.raw !== undefined && typeof v.network.raw !== 'boolean') fail(`${at}.network.raw`, 'expected true or false', 'raw: true allows raw and packet sockets');
    raw = v.network.raw as boolean | undefined;
    ports = strings(v.network.ports, `${at}.network.ports`);
    ports.forEach((p, i) => {
      if (!PORT_ENTRY.test(p)) fail(`${at}.network.ports[${i}]`, `expected PORT/PROTOCOL, got ${JSON.stringify(p)}`, 'e.g. 8080/tcp or 9000-9010/udp');
    });
  }
  return {
    level: oneOf(v.level, ['baseline', 'strict'] as const, `${at}.level`),
    mode: oneOf(v.mode, ['enforce', 'complain'] as const, `${at}.mode`),
    skip,
    read: strings(v.read, `${at}.read`),
    write: strings(v.write, `${at}.write`),
    exec: strings(v.exec, `${at}.exec`),
    capabilities: strings(v.capabilities, `${at}.capabilities`),
    raw,
    ports,
  };
}
