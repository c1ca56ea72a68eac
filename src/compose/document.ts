/**
 * One YAML document of one compose file, made ready to merge: interpolated (compose-spec
 * "Interpolation"), cast back to the schema's types, validated, and turned into the canonical
 * long syntax with host paths resolved against its base directory.
 */
import {interpolateAt} from './interpolate.js';
import {isPlainObject} from './merge.js';
import {castTypes} from './normalize/cast.js';
import {canonicalService, canonicalTopLevel} from './normalize/service.js';
import {type Untagged, takeTags} from './reset.js';
import {validateCompose} from './schema.js';

type Obj = Record<string, unknown>;

/** Variables as one loading sees them, and what interpolation read from them. */
export interface EnvView {
  lookup: (name: string) => string | undefined;
  /** Variables read without a value and without a default (Compose warns about each). */
  unset: Set<string>;
  /** Every variable interpolation read, with the value used (for the lock file). */
  read: Map<string, string | null>;
}

/** Where a document comes from. */
export interface DocSource {
  /** The file as shown in messages (relative to the project directory when inside it). */
  file: string;
  /** Absolute path, or `-` for standard input. */
  absolute: string;
  /** The file's text, to locate lines in messages. */
  text: string;
  /** The folder relative host paths resolve against (compose-spec: the project directory). */
  baseDir: string;
}

/**
 * A parsed document without its `!reset`/`!override` tags (their paths listed, reset.ts) and
 * with its variables interpolated: one walk and one copy of the document (issue #8), in
 * Compose's order (tags taken out, then the values interpolated).
 */
export function untagAndInterpolate(raw: Obj, src: DocSource, env: EnvView): Untagged {
  const ctx = {
    lookup: env.lookup,
    onUnset: (n: string) => env.unset.add(n),
    onRead: (n: string, v: string | undefined) => env.read.set(n, v ?? null),
    file: src.file,
  };
  return takeTags(raw, (v, at) => interpolateAt(v, ctx, at));
}

/**
 * Casts, validates (unless `validate` is false: extended files are checked only through the
 * service that extends them, as Compose does) and canonicalises one document that
 * untagAndInterpolate returned, in place.
 */
export function prepareDocument(out: Obj, src: DocSource, home: string, validate: boolean): Obj {
  castTypes(out, src.file);
  if (validate) validateCompose(out, src.file, src.text);
  const pc = {file: src.file, baseDir: src.baseDir, home};
  if (isPlainObject(out.services)) {
    const services: Obj = {};
    const names = Object.keys(out.services);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const svc = out.services[name];
      services[name] = isPlainObject(svc) ? canonicalService(name, svc, pc) : svc;
    }
    out.services = services;
  }
  canonicalTopLevel(out, pc);
  return out;
}
