/**
 * Device mappings, compose-spec "devices": `HOST[:CONTAINER[:PERMISSIONS]]` or the object form,
 * normalised to `{source, target, permissions}` as `docker compose config` prints them.
 */
import {UserError} from '../../errors.js';
import type {DeviceMapping} from '../model.js';

export function normalizeDevices(value: unknown, where: {file: string; path: string}): DeviceMapping[] {
  if (!Array.isArray(value)) throw new UserError('E_SCHEMA', `${where.path} must be a list`, where, 'devices: is a list such as ["/dev/net/tun"]');
  return value.map((item, i) => {
    const p = `${where.path}[${i}]`;
    if (typeof item === 'string') {
      const parts = item.split(':');
      if (parts.length > 3 || !parts[0]) {
        throw new UserError('E_DEVICE', `invalid device ${JSON.stringify(item)}`, {file: where.file, path: p}, 'use HOST_PATH[:CONTAINER_PATH[:rwm]]');
      }
      const [source, target, perms] = parts;
      // `/dev/x:rw` is source and permissions (docker's parseDevice).
      if (target !== undefined && parts.length === 2 && /^[rwm]+$/.test(target)) return {source, target: source, permissions: target};
      return {source, target: target || source, permissions: perms || 'rwm'};
    }
    const o = item as Record<string, unknown>;
    const source = String(o.source);
    return {source, target: typeof o.target === 'string' && o.target ? o.target : source, permissions: typeof o.permissions === 'string' ? o.permissions : 'rwm'};
  });
}
