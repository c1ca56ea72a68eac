/**
 * Quoting for AppArmor profile text. Every byte of user-controlled text that reaches a profile
 * passes through one of these functions: paths through quotePath/quoteGlobTree, free text through
 * commentText, names through checkProfileName/checkCapability.
 *
 * Syntax: apparmor.d(5), "Globbing (AARE)" and "Variables". Behaviour below was checked against
 * apparmor_parser 3.0.8 (`apparmor_parser -QKT -M /etc/apparmor.d/abi/3.0 -D rule-exprs`, which
 * prints each rule's path as the regex the parser really compiles):
 *
 * - The lexer ends a quoted string at a `"` that is not preceded by a backslash, and it takes
 *   the longest match: a quoted string may span lines. So a body ending in `\\` (a path ending
 *   in a backslash) does not end at its closing quote: `"/a\\" r,` followed by another quoted
 *   rule swallows text up to the next quote (seen as a syntax error, or worse, a different rule).
 *   A backslash is therefore written `\x5c` (the hex escape apparmor.d(5) documents with `\x00`),
 *   never `\\`: the parser turns `\x5c` into an escaped, literal backslash, reads exactly two hex
 *   digits (`\x5cab` is `\` + `ab`), and the body can never end in a backslash.
 * - `\"` is a literal `"`; an escaped quote never closes the string.
 * - Unescaped inside quotes, `* ? [ ] { }` are still globs, so they must be escaped; `\*`, `\?`,
 *   `\[`, `\]`, `\{`, `\}` all compile to the literal character.
 * - `,` and `^` are literal inside quotes even unescaped (`"/a,b"` compiles to `/a,b`), and
 *   `\,` / `\^` are accepted and also literal. We escape them anyway: it costs nothing and keeps
 *   the text safe if it were ever used unquoted.
 * - `@{NAME}` is expanded even inside quotes (`"/a@{HOME}"` becomes `/a{/home/*\/,/root/}`);
 *   `@{b` alone is a parse error. Because `{` and `}` are escaped, `@{` always comes out as `@\{`
 *   and `@\{HOME\}` compiles to the literal `@{HOME}`. (`@\{HOME}` with an unescaped `}` is a
 *   parse error, which is why both braces are escaped.)
 * - A backslash before any other character is dropped (`\q` compiles to `q`) and `\n`, `\x41`,
 *   `\101`, `\d65` are escape sequences: since every backslash of a path becomes `\x5c`, no
 *   other escape sequence can appear in the output.
 * - Space, `#`, `'`, `$`, `(`, `)`, `|`, `+`, `.` and non-ASCII UTF-8 are literal inside quotes.
 * - A raw newline inside quotes is accepted by the parser and becomes part of the path, which is
 *   why control characters are rejected rather than trusted to the quoting.
 */
import {UserError} from '../../errors.js';
import type {Provenance} from '../../plan/types.js';

/** Characters with a meaning inside a quoted AppArmor path (apparmor.d(5), AARE). */
const SPECIAL = /[\\"*?[\]{}^,]/g;

/**
 * Characters never accepted in a path: C0 controls, DEL, C1 controls (U+0085 NEL is a line
 * break), and invisible or direction-changing formatting characters (U+061C, U+180E,
 * U+200B–U+200F, U+2028/U+2029 line and paragraph separators, U+202A–U+202E, U+2060–U+206F,
 * U+FEFF, U+FFF9–U+FFFB) that would make a reviewed diff read differently from what the kernel
 * matches. Explicit ranges rather than \p{…} classes, so the answer does not change with the
 * Unicode version of the Node.js running hardcompose.
 */
const UNSAFE_CHAR =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/u;

/** Same set as UNSAFE_CHAR, global, plus lone surrogates (which cannot be written as UTF-8). */
const UNSAFE_CHAR_G =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Printable ASCII only: none of the characters above can be in it, and its UTF-8 length is its
 * length. Nearly every path and comment is like this, so the Unicode-aware patterns (which cost
 * far more per character) only run on the rest (issue #8: a thousand profiles check about
 * thirty thousand strings).
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Any code unit UNSAFE_CHAR_G could match (its ranges and every surrogate, paired or not): text
 * without one has nothing to replace. Comments of mount rules hold `→`, so they miss the ASCII
 * fast path but take this one.
 */
const MAYBE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]/;

/** PATH_MAX (4096 bytes including the terminating NUL). */
const MAX_PATH_BYTES = 4095;

const HINT =
  'Mount targets must be absolute, normalised container paths without control or invisible characters; rename the target in the compose file.';

/** Why `path` is not acceptable as an AppArmor rule path, or undefined when it is. */
export function pathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'is empty';
  const ascii = PRINTABLE_ASCII.test(path);
  if (!ascii && UNSAFE_CHAR.test(path)) return 'contains a control, line-separator or invisible formatting character';
  if (!ascii && LONE_SURROGATE.test(path)) return 'contains an unpaired UTF-16 surrogate (not representable as UTF-8)';
  if (!path.startsWith('/')) return 'is not absolute';
  if ((ascii ? path.length : Buffer.byteLength(path, 'utf8')) > MAX_PATH_BYTES) return `is longer than ${MAX_PATH_BYTES} bytes`;
  if (path === '/') return undefined;
  if (path.endsWith('/')) return 'ends with "/"';
  for (const seg of path.slice(1).split('/')) {
    if (seg === '') return 'contains "//"';
    if (seg === '.' || seg === '..') return `contains a "${seg}" segment`;
  }
  return undefined;
}

/** Throws E_UNSAFE_PATH unless `path` is an absolute, normalised, printable path. */
export function checkPath(path: string, source?: Provenance): void {
  const problem = pathProblem(path);
  if (problem !== undefined) {
    throw new UserError(
      'E_UNSAFE_PATH',
      `Container path ${JSON.stringify(path)} ${problem}; refusing to put it in an AppArmor profile.`,
      source ? {path: source} : {},
      HINT,
    );
  }
}

function escapeBody(path: string): string {
  return path.replace(SPECIAL, (c) => (c === '\\' ? '\\x5c' : `\\${c}`));
}

/**
 * A double-quoted AppArmor path matching exactly `path` (apparmor.d(5): quoted paths, AARE
 * escapes): `" * ? [ ] { } ^ ,` get a backslash, a backslash becomes `\x5c`. Throws UserError E_UNSAFE_PATH for control characters, relative or non-normalised
 * paths.
 */
export function quotePath(path: string, source?: Provenance): string {
  checkPath(path, source);
  return `"${escapeBody(path)}"`;
}

/**
 * A quoted AppArmor path covering `path` and everything below it: the escaped literal followed by
 * the glob `{,/**}` (apparmor.d(5): `{a,b}` alternation, `**` crosses `/`). The parser compiles
 * `"/a{,/**}"` to `/a(|/[^\0]*)`, which also matches the directory itself as the kernel names it
 * (`/a/`). For `/` the result is `"/{,**}"` (root directory and everything).
 */
export function quoteGlobTree(path: string, source?: Provenance): string {
  checkPath(path, source);
  if (path === '/') return '"/{,**}"';
  return `"${escapeBody(path)}{,/**}"`;
}

/**
 * Free text made safe for a `# …` comment: the AppArmor lexer ends a comment at a line break, so
 * control characters, line separators, invisible formatting characters and unpaired surrogates
 * are replaced by a visible `\u{…}` notation. `#include` inside a trailing comment is inert (the
 * whole rest of the line is comment; checked with apparmor_parser 3.0.8).
 */
export function commentText(text: string): string {
  if (typeof text === 'string' && (PRINTABLE_ASCII.test(text) || !MAYBE_UNSAFE.test(text))) return text;
  return String(text).replace(UNSAFE_CHAR_G, (c) => `\\u{${c.charCodeAt(0).toString(16).padStart(4, '0')}}`);
}

/**
 * Profile names appear unquoted (`profile NAME`, `peer=NAME`) and as file names: only
 * `[A-Za-z0-9._-]`, starting with a letter or digit (Compose service names use this set; project
 * names are a subset).
 */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export function checkProfileName(name: string, source?: Provenance): void {
  if (typeof name !== 'string' || !PROFILE_NAME.test(name)) {
    throw new UserError(
      'E_UNSAFE_NAME',
      `Profile name ${JSON.stringify(name)} is not usable: only letters, digits, ".", "_" and "-" are allowed.`,
      source ? {path: source} : {},
      'Rename the project or service so that it uses only letters, digits, ".", "_" and "-".',
    );
  }
}

/** Linux capabilities as AppArmor spells them (capability.h numbers 0–40, all accepted by abi/3.0). */
export const CAPABILITIES: readonly string[] = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid',
  'setpcap', 'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw',
  'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct',
  'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod',
  'lease', 'audit_write', 'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog',
  'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf', 'checkpoint_restore',
];
const CAPABILITY_SET = new Set(CAPABILITIES);

export function checkCapability(name: string, source?: Provenance): void {
  if (!CAPABILITY_SET.has(name)) {
    throw new UserError(
      'E_UNKNOWN_CAPABILITY',
      `Unknown capability ${JSON.stringify(name)}.`,
      source ? {path: source} : {},
      'Use a Linux capability name such as NET_BIND_SERVICE (see capabilities(7)).',
    );
  }
}
