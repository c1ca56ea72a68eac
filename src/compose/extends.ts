/**
 * compose-spec "extends": a service starts from a copy of another one, from the same document
 * or from `extends.file`, and its own attributes merge on top with the usual merge rules.
 * As in Compose, it is resolved inside each document before documents and files are merged:
 * a later override file changes the extended service, not the services that extended it.
 */
import {UserError} from '../errors.js';
import {enforceUnicity, isPlainObject, mergeValues} from './merge.js';
import {type TagPath, applyTagPaths} from './reset.js';

type Obj = Record<string, unknown>;

/** The services of one document (or one extended file), resolved in place. */
export interface ServiceSet {
  services: Obj;
  /** Absolute path: with the service name, the identity used to detect cycles. */
  absolute: string;
  /** The file as shown in messages. */
  file: string;
  /** `!reset`/`!override` paths of that document: they also apply to what a service extends. */
  tagPaths: readonly TagPath[];
}

/** Loads the services of an `extends.file` (absolute path), for messages `where`. */
export type ExtendsFileLoader = (absolute: string, where: {file: string; path: string}) => ServiceSet;

/** Resolves `extends` for every service of the set. */
export function applyExtends(set: ServiceSet, loadFile: ExtendsFileLoader): void {
  for (const name of Object.keys(set.services)) extendService(name, set, loadFile, []);
}

function cycleError(chain: string[], key: string, where: {file: string; path: string}): UserError {
  const names = [...chain, key].map((k) => k.slice(k.lastIndexOf('#') + 1));
  return new UserError('E_EXTENDS_CYCLE', `circular reference with extends: ${names.join(' → ')}`, where, 'an extended service must not extend, directly or not, the service that extends it');
}

/** Resolves one service's `extends` chain depth-first and stores the result in its set. */
function extendService(name: string, set: ServiceSet, loadFile: ExtendsFileLoader, chain: string[]): unknown {
  const svc = set.services[name];
  if (!isPlainObject(svc) || svc.extends === undefined) return svc;
  const ext = svc.extends as {service: string; file?: string};
  const where = {file: set.file, path: `services.${name}.extends`};
  const key = `${set.absolute}#${name}`;
  if (chain.includes(key)) throw cycleError(chain, key, where);
  const baseSet = ext.file ? loadFile(ext.file, where) : set;
  if (!isPlainObject(baseSet.services[ext.service])) {
    const inFile = ext.file ? ` in ${baseSet.file}` : '';
    throw new UserError('E_EXTENDS', `cannot extend service "${name}": service "${ext.service}" not found${inFile}`, {...where, path: `${where.path}.service`}, 'extends.service must name a service of this file, or of extends.file');
  }
  const base = extendService(ext.service, baseSet, loadFile, [...chain, key]);
  const merged = mergeOntoBase(name, structuredClone(base) as Obj, svc, set.tagPaths);
  set.services[name] = merged;
  return merged;
}

/** The extending service merged onto a private copy of its base, after its own tags reset the base. */
function mergeOntoBase(name: string, base: Obj, svc: Obj, tagPaths: readonly TagPath[]): Obj {
  applyTagPaths({services: {[name]: base}}, tagPaths);
  delete base.extends;
  const {extends: _own, ...own} = svc;
  const merged = mergeValues(base, own, `services.${name}`) as Obj;
  enforceUnicity({services: {[name]: merged}});
  return merged;
}
