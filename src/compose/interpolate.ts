/**
 * Variable interpolation as in compose-spec "Interpolation": `$VAR`, `${VAR}`, `${VAR:-d}`,
 * `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`, `${VAR:+a}`, `${VAR+a}`, nesting inside the
 * default/alternative, and `$$` for a literal `$`.
 */
import {UserError} from '../errors.js';

export type Lookup = (name: string) => string | undefined;

export interface InterpolationContext {
  lookup: Lookup;
  /** Called once per unset variable read without a default. */
  onUnset: (name: string) => void;
  /** Records every variable read and the value used (for the lock file). */
  onRead?: (name: string, value: string | undefined) => void;
  file: string;
  path: string;
}

/** A variable name at `lastIndex` (sticky: no substring per lookup). */
const NAME_AT = /[_a-zA-Z][_a-zA-Z0-9]*/y;

function nameAt(s: string, i: number): string | undefined {
  NAME_AT.lastIndex = i;
  return NAME_AT.exec(s)?.[0];
}

/** Interpolates one string; throws UserError for `:?`/`?` errors and malformed syntax. */
export function interpolateString(input: string, ctx: InterpolationContext): string {
  if (!input.includes('$')) return input;
  return parse(input, 0, ctx, false)[0];
}

/**
 * Parses from `i` to the end of input (or to the closing `}` of an enclosing braced
 * expression when `nested`). Returns the expanded text and the index after it. Literal text is
 * copied a run at a time, between the characters that matter.
 */
function parse(s: string, i: number, ctx: InterpolationContext, nested: boolean): [string, number] {
  let out = '';
  let depth = 0;
  let run = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (nested && c === 125 /* } */) {
      if (depth === 0) return [out + s.slice(run, i), i];
      depth--;
    } else if (nested && c === 123 /* { */) depth++;
    if (c !== 36 /* $ */) {
      i++;
      continue;
    }
    out += s.slice(run, i);
    const next = s.charCodeAt(i + 1);
    if (next === 36 /* $ */) {
      out += '$';
      i += 2;
    } else if (next === 123 /* { */) {
      const r = braced(s, i + 2, ctx);
      out += r[0];
      i = r[1];
    } else {
      const name = nameAt(s, i + 1);
      if (name) {
        out += read(name, ctx) ?? '';
        i += 1 + name.length;
      } else {
        // A lone `$` followed by something that is not a name is kept, as Compose does.
        out += '$';
        i++;
      }
    }
    run = i;
  }
  if (nested) throw invalid(s, ctx);
  return [out + s.slice(run, i), i];
}

function braced(s: string, i: number, ctx: InterpolationContext): [string, number] {
  const name = nameAt(s, i);
  if (!name) throw invalid(s, ctx);
  i += name.length;
  if (s.startsWith('}', i)) {
    return [read(name, ctx) ?? '', i + 1];
  }
  let op: string;
  if (s.startsWith(':-', i) || s.startsWith(':?', i) || s.startsWith(':+', i)) op = s.slice(i, i + 2);
  else if (s[i] === '-' || s[i] === '?' || s[i] === '+') op = s[i];
  else throw invalid(s, ctx);
  i += op.length;
  // The operand is itself interpolated (nesting) whether or not its branch is taken: Compose
  // evaluates it first, so an unset variable in an unused default warns and a `:?` in it fails.
  const value = ctx.lookup(name);
  const unsetOrEmpty = value === undefined || value === '';
  const unset = value === undefined;
  const takesOperand =
    op === ':-' || op === ':?' ? unsetOrEmpty : op === '-' || op === '?' ? unset : op === ':+' ? !unsetOrEmpty : !unset;
  const parsed = parse(s, i, ctx, true);
  const operand = parsed[0];
  const end = parsed[1];
  ctx.onRead?.(name, value);
  let result: string;
  switch (op) {
    case ':-':
    case '-':
      result = takesOperand ? operand : (value as string);
      break;
    case ':?':
    case '?':
      if (takesOperand) {
        throw new UserError(
          'E_REQUIRED_VARIABLE',
          `required variable ${name} is missing a value${operand ? `: ${operand}` : ''}`,
          {file: ctx.file, path: ctx.path},
          `set ${name} in the environment or in the project's .env file (or an --env-file)`,
        );
      }
      result = value as string;
      break;
    default:
      result = takesOperand ? operand : '';
  }
  return [result, end + 1];
}

function read(name: string, ctx: InterpolationContext): string | undefined {
  const v = ctx.lookup(name);
  ctx.onRead?.(name, v);
  if (v === undefined) ctx.onUnset(name);
  return v;
}

function invalid(s: string, ctx: InterpolationContext): UserError {
  return new UserError(
    'E_INTERPOLATION',
    `invalid interpolation format in ${JSON.stringify(s)}`,
    {file: ctx.file, path: ctx.path},
    'use $VAR, ${VAR}, ${VAR:-default}, ${VAR:?error} or $$ for a literal dollar sign',
  );
}

/**
 * Interpolates every string value of a parsed YAML tree (keys are left alone, as Compose does).
 * `path` is the compose path prefix used in messages.
 *
 * One walk with the path kept as a stack of keys: the path's text is only built for a string
 * that has a `$` in it (issue #8: a thousand services are some twenty thousand nodes, and only
 * a few thousand strings interpolate).
 */
export function interpolateTree(
  node: unknown,
  ctx: Omit<InterpolationContext, 'path'>,
  path = '',
): unknown {
  return walk(node, ctx, path, []);
}

/**
 * interpolateTree for one node at position `at` of a document (reset.ts takeTags calls it for
 * each string it copies, so untagging and interpolation are one walk).
 */
export function interpolateAt(node: unknown, ctx: Omit<InterpolationContext, 'path'>, at: ReadonlyArray<string | number>): unknown {
  if (typeof node === 'string') {
    if (!node.includes('$')) return node;
    return interpolateString(node, {lookup: ctx.lookup, onUnset: ctx.onUnset, onRead: ctx.onRead, file: ctx.file, path: pathText('', at)});
  }
  return walk(node, ctx, '', [...at]);
}

/** The compose path of `at` below `prefix`: `a.b[2].c`. */
function pathText(prefix: string, at: ReadonlyArray<string | number>): string {
  let p = prefix;
  for (let i = 0; i < at.length; i++) {
    const seg = at[i];
    p = typeof seg === 'number' ? `${p}[${seg}]` : p ? `${p}.${seg}` : seg;
  }
  return p;
}

function walk(node: unknown, ctx: Omit<InterpolationContext, 'path'>, prefix: string, at: Array<string | number>): unknown {
  if (typeof node === 'string') {
    if (!node.includes('$')) return node;
    return interpolateString(node, {lookup: ctx.lookup, onUnset: ctx.onUnset, onRead: ctx.onRead, file: ctx.file, path: pathText(prefix, at)});
  }
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    for (let i = 0; i < node.length; i++) {
      at.push(i);
      out.push(walk(node[i], ctx, prefix, at));
      at.pop();
    }
    return out;
  }
  if (node && typeof node === 'object') {
    const proto = Object.getPrototypeOf(node);
    if (proto !== Object.prototype && proto !== null) {
      // Tagged wrappers (!reset/!override) keep their class; interpolate their value.
      const w = node as {value: unknown};
      if ('value' in w) {
        const copy = Object.create(proto);
        copy.value = walk(w.value, ctx, prefix, at);
        return copy;
      }
      return node;
    }
    const obj = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const keys = Object.keys(obj);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      at.push(k);
      out[k] = walk(obj[k], ctx, prefix, at);
      at.pop();
    }
    return out;
  }
  return node;
}
