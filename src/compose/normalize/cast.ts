/**
 * Type casting after interpolation: a value written `${PRIVILEGED}` is a string until it is
 * cast back to the type the compose schema expects (compose-go interpolation "type casting").
 */
import {UserError} from '../../errors.js';
import {isPlainObject} from '../merge.js';

const BOOL_SERVICE = ['privileged', 'read_only', 'tty', 'stdin_open', 'init', 'oom_kill_disable', 'use_api_socket', 'attach'];
const INT_SERVICE = ['cpu_count', 'cpu_percent', 'cpu_shares', 'cpu_quota', 'cpu_period', 'cpu_rt_period', 'cpu_rt_runtime', 'oom_score_adj', 'pids_limit', 'scale', 'mem_swappiness'];

const TRUE = new Set(['y', 'yes', 'true', 'on']);
const FALSE = new Set(['n', 'no', 'false', 'off']);

function toBool(v: unknown, file: string, path: string): unknown {
  if (typeof v !== 'string') return v;
  const s = v.toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new UserError('E_SCHEMA', `${path} must be a boolean, got ${JSON.stringify(v)}`, {file, path}, 'use true or false');
}

function toInt(v: unknown, file: string, path: string): unknown {
  if (typeof v !== 'string') return v;
  if (/^-?\d+$/.test(v.trim())) return Number(v.trim());
  throw new UserError('E_SCHEMA', `${path} must be an integer, got ${JSON.stringify(v)}`, {file, path}, 'use a whole number');
}

/** Casts the known typed fields of every service in one interpolated document, in place. */
export function castTypes(doc: Record<string, unknown>, file: string): void {
  const services = doc.services;
  if (!isPlainObject(services)) return;
  const names = Object.keys(services);
  for (let n = 0; n < names.length; n++) {
    const name = names[n];
    const svc = services[name];
    if (!isPlainObject(svc)) continue;
    const p = `services.${name}`;
    for (let i = 0; i < BOOL_SERVICE.length; i++) {
      const k = BOOL_SERVICE[i];
      if (k in svc) svc[k] = toBool(svc[k], file, `${p}.${k}`);
    }
    for (let i = 0; i < INT_SERVICE.length; i++) {
      const k = INT_SERVICE[i];
      if (k in svc) svc[k] = toInt(svc[k], file, `${p}.${k}`);
    }
    if (Array.isArray(svc.volumes)) {
      svc.volumes.forEach((v, i) => {
        if (!isPlainObject(v)) return;
        const vp = `${p}.volumes[${i}]`;
        if ('read_only' in v) v.read_only = toBool(v.read_only, file, `${vp}.read_only`);
        if (isPlainObject(v.bind) && 'create_host_path' in v.bind) v.bind.create_host_path = toBool(v.bind.create_host_path, file, `${vp}.bind.create_host_path`);
        if (isPlainObject(v.volume) && 'nocopy' in v.volume) v.volume.nocopy = toBool(v.volume.nocopy, file, `${vp}.volume.nocopy`);
      });
    }
    if (Array.isArray(svc.ports)) {
      svc.ports.forEach((v, i) => {
        if (isPlainObject(v) && typeof v.target === 'string') v.target = toInt(v.target, file, `${p}.ports[${i}].target`);
      });
    }
  }
}
