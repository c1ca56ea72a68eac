/**
 * `.env` files as Compose reads them (compose-spec "Interpolation", docs "Use an environment
 * file"): `KEY=VALUE` lines, optional `export `, `#` comments, single quotes literal, double
 * quotes with escapes, and `${VAR}` expansion in unquoted and double-quoted values against
 * earlier keys and the process environment.
 */
import {UserError} from '../errors.js';
import {interpolateString} from './interpolate.js';

export function parseDotEnv(text: string, file: string, outer: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n].trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trimStart();
    // `KEY=value`, or YAML-like `KEY: value`: the first `=` or `:` ends the name (compose-go dotenv).
    const eq = line.search(/[=:]/);
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!key || /\s/.test(key)) {
      const why = key ? 'contains a space' : 'is empty';
      throw new UserError('E_ENV_FILE', `invalid variable name ${JSON.stringify(key)}: it ${why}`, {file, line: n + 1}, 'lines of an env file look like NAME=value');
    }
    if (eq < 0) {
      // `KEY` alone takes the value from the environment, if any.
      const v = outer[key];
      if (v !== undefined) out[key] = v;
      continue;
    }
    let raw = line.slice(eq + 1).trimStart();
    let value: string;
    const q = raw[0];
    if (q === "'" || q === '"') {
      // Quoted values may span lines.
      let end = findClosingQuote(raw, q);
      while (end < 0 && n + 1 < lines.length) {
        n++;
        raw += '\n' + lines[n];
        end = findClosingQuote(raw, q);
      }
      if (end < 0) throw new UserError('E_ENV_FILE', `unterminated quoted value for ${key}`, {file, line: n + 1}, `close the ${q} quote`);
      const inner = raw.slice(1, end);
      if (q === "'") value = inner.replace(/\\'/g, "'");
      else value = expand(unescapeDouble(inner), key, file, n, out, outer);
    } else {
      const hash = raw.search(/\s#/);
      if (hash >= 0) raw = raw.slice(0, hash);
      value = expand(raw.trim(), key, file, n, out, outer);
    }
    out[key] = value;
  }
  return out;
}

/** The closing quote, skipping `\"` inside double quotes and `\'` inside single quotes. */
function findClosingQuote(s: string, q: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\' && (q === '"' || s[i + 1] === "'")) {
      i++;
      continue;
    }
    if (s[i] === q) return i;
  }
  return -1;
}

function unescapeDouble(s: string): string {
  return s.replace(/\\([\\"nrt$])/g, (_m, c: string) => ({n: '\n', r: '\r', t: '\t'})[c as 'n'] ?? (c === '$' ? '$$' : c));
}

function expand(
  value: string,
  key: string,
  file: string,
  n: number,
  own: Record<string, string>,
  outer: Record<string, string | undefined>,
): string {
  return interpolateString(value, {
    lookup: (name) => outer[name] ?? own[name],
    onUnset: () => {},
    file: `${file}:${n + 1}`,
    path: key,
  });
}
