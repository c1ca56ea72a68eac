/**
 * YAML reading for compose files: multi-document files, anchors and merge keys (js-yaml's
 * default schema), the compose-spec `!reset` and `!override` tags ("Merge" section), and a
 * bound on alias expansion so a billion-laughs file fails fast.
 */
import yaml from 'js-yaml';
import {UserError} from '../errors.js';

/** `!reset`: the value is dropped from the merged model (compose-spec merge.md "Reset value"). */
export class ResetTag {
  constructor(readonly value: unknown) {}
}
/** `!override`: the value replaces the merged one instead of merging (merge.md "Replace value"). */
export class OverrideTag {
  constructor(readonly value: unknown) {}
}

const tags = (['scalar', 'sequence', 'mapping'] as const).flatMap((kind) => [
  new yaml.Type('!reset', {kind, construct: (d: unknown) => new ResetTag(d ?? null)}),
  new yaml.Type('!override', {kind, construct: (d: unknown) => new OverrideTag(d)}),
]);
/**
 * Integers as Compose's YAML reader (goccy/go-yaml) reads them, which keeps two YAML 1.1 habits
 * that js-yaml's 1.2 core schema dropped: a leading zero means octal (`mode: 0400` is 256, not
 * 400) and underscores may group digits (`1_000`). Hex, binary and `0o` octal are the same in both.
 */
const INT_11 = /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|0[0-7_]+|0|[1-9][0-9_]*)$/;
const intType = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && INT_11.test(data),
  construct: (data: string) => {
    const sign = data.startsWith('-') ? -1 : 1;
    const v = data.replace(/^[-+]/, '').replace(/_/g, '');
    if (v.startsWith('0b')) return sign * parseInt(v.slice(2), 2);
    if (v.startsWith('0x')) return sign * parseInt(v.slice(2), 16);
    if (v.startsWith('0o')) return sign * parseInt(v.slice(2), 8);
    if (v.length > 1 && v.startsWith('0')) return sign * parseInt(v.slice(1), 8);
    return sign * parseInt(v, 10);
  },
  predicate: (o: unknown) => typeof o === 'number' && Number.isInteger(o),
  represent: (o: object) => String(o),
});
const SCHEMA = yaml.DEFAULT_SCHEMA.extend({implicit: [intType], explicit: tags});

/**
 * Upper bound on nodes visited when the tree is walked with aliases expanded. Real compose
 * files stay far below; a billion-laughs file reaches it in milliseconds.
 */
export const MAX_EXPANDED_NODES = 1_000_000;

/** Parses every document of a compose file. Empty documents are skipped. */
export function parseComposeYaml(text: string, file: string): unknown[] {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text, undefined, {schema: SCHEMA, filename: file, json: false});
  } catch (e) {
    if (e instanceof yaml.YAMLException) {
      const mark = e.mark;
      throw new UserError(
        'E_YAML_SYNTAX',
        `invalid YAML: ${e.reason}`,
        {file, line: mark ? mark.line + 1 : undefined, column: mark ? mark.column + 1 : undefined},
        'check indentation and quoting around this line',
      );
    }
    throw e;
  }
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc === null || doc === undefined) continue;
    assertBounded(doc, file);
    if (typeof doc !== 'object' || Array.isArray(doc) || doc instanceof ResetTag || doc instanceof OverrideTag) {
      throw new UserError('E_TOP_LEVEL', 'top-level object must be a mapping', {file, line: 1}, 'a compose file starts with keys such as services:');
    }
    out.push(doc);
  }
  return out;
}

/** Walks the tree counting visits (aliases count every time) and fails past the bound. */
function assertBounded(root: unknown, file: string): void {
  let visited = 0;
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (++visited > MAX_EXPANDED_NODES) {
      throw new UserError(
        'E_YAML_ALIAS_BOMB',
        `the file expands to more than ${MAX_EXPANDED_NODES} nodes through YAML aliases`,
        {file},
        'this looks like an alias bomb ("billion laughs"); remove the nested anchors/aliases',
      );
    }
    if (n instanceof ResetTag || n instanceof OverrideTag) stack.push(n.value);
    else if (Array.isArray(n)) for (let i = 0; i < n.length; i++) stack.push(n[i]);
    else if (n && typeof n === 'object') {
      const values = Object.values(n);
      for (let i = 0; i < values.length; i++) stack.push(values[i]);
    }
  }
}

/**
 * Best-effort line of a compose path (`services.web.ports[1]`) in block-style YAML text, for
 * error messages. Returns undefined when the path cannot be followed (flow style, anchors).
 */
export function locate(text: string, path: string): number | undefined {
  const segs = path.split(/\.|(?=\[)/).filter(Boolean);
  const lines = text.split(/\r?\n/);
  let from = 0;
  let minIndent = -1;
  let found: number | undefined;
  for (const seg of segs) {
    const idx = /^\[(\d+)\]$/.exec(seg);
    let hit = -1;
    let seen = 0;
    for (let i = from; i < lines.length; i++) {
      const line = lines[i];
      if (/^\s*(#|$)/.test(line)) continue;
      const indent = line.length - line.trimStart().length;
      if (indent <= minIndent && i > from) break;
      const body = line.trimStart();
      if (idx) {
        if (body.startsWith('- ') || body === '-') {
          if (seen === Number(idx[1])) {
            hit = i;
            minIndent = indent;
            break;
          }
          seen++;
        }
      } else {
        const key = seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (new RegExp(`^(- )?["']?${key}["']?\\s*:`).test(body)) {
          hit = i;
          minIndent = indent;
          break;
        }
      }
    }
    if (hit < 0) return found;
    found = hit + 1;
    from = hit + 1;
  }
  return found;
}
