/**
 * Device mappings, compose-spec "devices": `HOST[:CONTAINER[:PERMISSIONS]]` or the object form,
 * normalised to `{source, target, permissions}` as `docker compose config` prints them.
 */
import {UserError} from '../../errors.js';
import {dedupeByKey} from '../merge.js';
import type {DeviceMapping} from '../model.js';

type Where = {file: string; path: string};

/**
 * The short syntax as Compose 2.26 reads it (compose-go types.DeviceMapping): the second field
 * is always the container path, even when it looks like permissions (`/dev/kvm:rw` maps the
 * device to `rw`, unlike `docker run --device`); an empty field falls back to the source; a
 * fourth field is refused.
 */
export function parseShortDevice(spec: string, where: Where): DeviceMapping {
  const parts = spec.split(':');
  if (parts.length > 3) {
    throw new UserError('E_DEVICE', `confusing device mapping ${JSON.stringify(spec)}`, where, 'use HOST_PATH[:CONTAINER_PATH[:rwm]], or the long syntax {source, target, permissions}');
  }
  const [source, target, permissions] = parts;
  if (!source) {
    // Compose accepts an empty host path and the engine fails at start; refuse it here.
    throw new UserError('E_DEVICE', `device ${JSON.stringify(spec)} has no host path`, where, 'use HOST_PATH[:CONTAINER_PATH[:rwm]], e.g. /dev/fuse');
  }
  return {source, target: target || source, permissions: permissions ?? 'rwm'};
}

/**
 * The long syntax: `source` and `target` are required (compose-go "missing a mount target");
 * permissions stay empty when not given, as Compose passes them to the engine.
 */
function parseLongDevice(o: Record<string, unknown>, where: Where): DeviceMapping {
  if (typeof o.target !== 'string' || !o.target) {
    throw new UserError('E_DEVICE', `device ${where.path} is missing a target`, {...where, path: `${where.path}.target`}, 'the long syntax needs source and target');
  }
  return {source: String(o.source), target: o.target, permissions: typeof o.permissions === 'string' ? o.permissions : ''};
}

/**
 * Compose de-duplicates a file's devices once before reading the short syntax, keyed by the
 * second field as written (compose-go deviceMappingIndexer): `/dev/c::r` and `/dev/d:` share
 * the empty key and the later one wins. The canonical pass (merge.ts) then keys by target.
 */
function rawDeviceKey(item: unknown): string {
  if (typeof item === 'string') {
    const parts = item.split(':');
    return parts.length === 1 ? parts[0] : parts[1];
  }
  return String((item as {target?: unknown})?.target);
}

export function normalizeDevices(value: unknown, where: Where): DeviceMapping[] {
  if (!Array.isArray(value)) throw new UserError('E_SCHEMA', `${where.path} must be a list`, where, 'devices: is a list such as ["/dev/net/tun"]');
  return dedupeByKey(value, rawDeviceKey).map((item, i) => {
    const at = {file: where.file, path: `${where.path}[${i}]`};
    return typeof item === 'string' ? parseShortDevice(item, at) : parseLongDevice(item as Record<string, unknown>, at);
  });
}
