/**
 * The `!reset` and `!override` tags, compose-spec merge.md "Reset value" and "Replace value",
 * applied the way Compose applies them: each tag is taken out of its document and remembered
 * as a path (`services.app.ports`); the value there is then removed from whatever the document
 * is merged onto (earlier files and documents, and the base of an `extends`), so the
 * document's own value — none for `!reset`, the tagged one for `!override` — is what remains.
 */
import {OverrideTag, ResetTag} from './yaml.js';

type Obj = Record<string, unknown>;

/** A compose path as keys, e.g. `['services', 'app', 'ports']`. */
export type TagPath = readonly string[];

export interface Untagged {
  /** The document without tags: `!reset` entries removed, `!override` values in place. */
  doc: Obj;
  /** Where the document reset or overrode a value. */
  paths: TagPath[];
}

function isPlain(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** The position of a node while the document is walked: keys, and indexes in lists. */
export type WalkPath = ReadonlyArray<string | number>;

/**
 * Copies a parsed document without its tags and lists the tag paths. Aliased nodes are copied
 * at each place they appear, so a tag inside an anchor counts wherever the alias is used. The
 * path is kept as one stack and copied only where a tag is found.
 *
 * `leaf`, when given, replaces every string and every other non-plain object as it is copied
 * (with its position in the untagged document): loading interpolates in this same walk, so the
 * document is copied once, not once without tags and once more interpolated (issue #8).
 */
export function takeTags(doc: Obj, leaf?: (v: unknown, at: WalkPath) => unknown): Untagged {
  const paths: TagPath[] = [];
  const at: Array<string | number> = [];
  const here = (): TagPath => at.map((seg) => (typeof seg === 'number' ? `[${seg}]` : seg));
  const strip = (v: unknown): unknown => {
    if (v instanceof ResetTag) {
      paths.push(here());
      return undefined;
    }
    if (v instanceof OverrideTag) {
      paths.push(here());
      return strip(v.value);
    }
    // A tag on a sequence item drops the item (there is no path to reset inside a list).
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x instanceof ResetTag) continue;
        at.push(out.length);
        out.push(strip(x));
        at.pop();
      }
      return out;
    }
    if (isPlain(v)) {
      const out: Obj = {};
      const keys = Object.keys(v);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        at.push(k);
        const s = strip(v[k]);
        at.pop();
        if (s !== undefined) out[k] = s;
      }
      return out;
    }
    return leaf && (typeof v === 'string' || (v !== null && typeof v === 'object')) ? leaf(v, at) : v;
  };
  return {doc: strip(doc) as Obj, paths};
}

/** Removes the value at every tag path from `target`, in place. Paths that are absent are ignored. */
export function applyTagPaths(target: Obj, paths: readonly TagPath[]): void {
  for (const p of paths) {
    let node: unknown = target;
    for (const key of p.slice(0, -1)) node = isPlain(node) ? node[key] : undefined;
    const last = p[p.length - 1];
    if (isPlain(node) && last !== undefined) delete node[last];
  }
}
