/**
 * Splitting a passthrough command line into hardcompose's own flags and the arguments that go
 * to the Compose subcommand, in order. Pure; no oclif (passthrough commands are `strict = false`
 * and hand their raw argv here).
 *
 * Rules, following how Compose (cobra/pflag) reads its own command line:
 * - hardcompose's flags (`-f/--file`, `-p/--project-name`, `--project-directory`, `--env-file`,
 *   `--profile`, `--backend`, `--level`, `--mode`, `--out`, `--frozen`, `--allow-unconfined`,
 *   `--selinux-relabel`) are taken wherever they stand, in the forms `--flag value`,
 *   `--flag=value`, `-f value`, `-fvalue` and `-f=value`; boolean ones also as `--flag=true|false`;
 * - `run` and `exec` stop reading flags at their first positional argument (the service), like
 *   Compose does: everything after it is the container's command (`run web ls -p` lists with
 *   `-p`). To find that positional, the values of Compose's own value flags are skipped;
 * - `up`, `down`, `ps` and the others read flags after service names too;
 * - a subcommand's own short flag wins over hardcompose's where Compose defines one
 *   (`logs -f` follows; use `--file` there);
 * - `--` ends hardcompose's flags and is passed on, so Compose sees it too;
 * - a cluster of short flags (`-it`) is passed on whole; hardcompose's `-f`/`-p` are only
 *   recognised as the first letter of a token.
 *
 * `hardcompose compose [own flags] [--] SUBCOMMAND ARGS…` is the escape hatch: flags before the
 * subcommand are hardcompose's (or Compose's global flags, passed on before the subcommand);
 * everything from the subcommand on is passed verbatim.
 */
import {UserError} from '../errors.js';

export interface OwnFlags {
  file: string[];
  projectName?: string;
  projectDirectory?: string;
  envFile: string[];
  profile: string[];
  backend?: 'apparmor' | 'selinux';
  level?: 'baseline' | 'strict';
  mode?: 'enforce' | 'complain';
  out?: string;
  frozen: boolean;
  allowUnconfined: boolean;
  selinuxRelabel: boolean;
}

export interface ScannedArgv {
  /** The Compose subcommand (`up`, `run`, …). */
  subcommand: string;
  own: OwnFlags;
  /** Compose global flags that are not hardcompose's (`--ansi never`), placed before the subcommand. */
  composeGlobals: string[];
  /** Arguments after the subcommand, in order. */
  passthrough: string[];
}

type OwnKey = keyof OwnFlags;
interface OwnSpec {
  key: OwnKey;
  kind: 'value' | 'list' | 'bool';
  options?: readonly string[];
}

const OWN_LONG: Record<string, OwnSpec> = {
  '--file': {key: 'file', kind: 'list'},
  '--project-name': {key: 'projectName', kind: 'value'},
  '--project-directory': {key: 'projectDirectory', kind: 'value'},
  '--env-file': {key: 'envFile', kind: 'list'},
  '--profile': {key: 'profile', kind: 'list'},
  '--backend': {key: 'backend', kind: 'value', options: ['apparmor', 'selinux']},
  '--level': {key: 'level', kind: 'value', options: ['baseline', 'strict']},
  '--mode': {key: 'mode', kind: 'value', options: ['enforce', 'complain']},
  '--out': {key: 'out', kind: 'value'},
  '--frozen': {key: 'frozen', kind: 'bool'},
  '--allow-unconfined': {key: 'allowUnconfined', kind: 'bool'},
  '--selinux-relabel': {key: 'selinuxRelabel', kind: 'bool'},
};

const OWN_SHORT: Record<string, string> = {f: '--file', p: '--project-name'};

/** Compose's global value flags (persistent: valid after the subcommand too). */
const COMPOSE_GLOBAL_VALUES = ['--ansi', '--parallel', '--progress'];

interface SubSpec {
  /** Flags end at the first positional (cobra SetInterspersed(false)). */
  stopAtPositional?: boolean;
  /** Compose flags of this subcommand that take a value (long `--x`, short `-x`). */
  values?: string[];
  /** hardcompose short flags that mean something else to this subcommand. */
  shadows?: string[];
}

/** From `docker compose SUB --help` (Compose 2.26). Unknown flags are treated as booleans. */
export const SUBCOMMANDS: Record<string, SubSpec> = {
  up: {values: ['--attach', '--exit-code-from', '--no-attach', '--pull', '--scale', '-t', '--timeout', '--wait-timeout']},
  down: {values: ['--rmi', '-t', '--timeout']},
  run: {
    stopAtPositional: true,
    values: ['--cap-add', '--cap-drop', '--entrypoint', '-e', '--env', '-l', '--label', '--name', '--publish', '--pull', '-u', '--user', '-v', '--volume', '-w', '--workdir'],
  },
  start: {},
  restart: {values: ['-t', '--timeout']},
  create: {values: ['--pull', '--scale']},
  ps: {values: ['--filter', '--format', '--status']},
  logs: {values: ['--index', '--since', '-n', '--tail', '--until'], shadows: ['f']},
  exec: {stopAtPositional: true, values: ['-e', '--env', '--index', '-u', '--user', '-w', '--workdir']},
};

export function emptyOwnFlags(): OwnFlags {
  return {file: [], envFile: [], profile: [], frozen: false, allowUnconfined: false, selinuxRelabel: false};
}

function usage(message: string, hint: string): UserError {
  return new UserError('E_USAGE', message, {}, hint);
}

class Reader {
  i = 0;
  constructor(readonly argv: readonly string[]) {}
  get done(): boolean {
    return this.i >= this.argv.length;
  }
  next(): string {
    return this.argv[this.i++];
  }
  /** The value of a flag spelled as its own token: the next argument. */
  value(flag: string): string {
    if (this.done) throw usage(`flag ${flag} needs a value`, `write ${flag} VALUE or ${flag}=VALUE`);
    return this.next();
  }
}

function setOwn(own: OwnFlags, flag: string, spec: OwnSpec, value: string | undefined): void {
  if (spec.kind === 'bool') {
    let b = true;
    if (value !== undefined) {
      if (/^(true|1)$/i.test(value)) b = true;
      else if (/^(false|0)$/i.test(value)) b = false;
      else throw usage(`flag ${flag} takes no value other than true or false, not ${JSON.stringify(value)}`, `write ${flag} alone`);
    }
    (own[spec.key] as boolean) = b;
    return;
  }
  const v = value as string;
  if (spec.options && !spec.options.includes(v)) {
    throw usage(`${flag} must be one of ${spec.options.join(', ')}, not ${JSON.stringify(v)}`, `e.g. ${flag} ${spec.options[0]}`);
  }
  if (spec.kind === 'list') (own[spec.key] as string[]).push(v);
  else (own[spec.key] as string) = v;
}

/**
 * Reads one own flag at the reader's position if there is one; returns false (consuming
 * nothing) otherwise. `shadows` are short letters the subcommand claims for itself.
 */
function readOwn(r: Reader, own: OwnFlags, shadows: readonly string[] = []): boolean {
  const tok = r.argv[r.i];
  if (tok.startsWith('--')) {
    const eq = tok.indexOf('=');
    const name = eq === -1 ? tok : tok.slice(0, eq);
    const spec = OWN_LONG[name];
    if (!spec) return false;
    r.next();
    const value = eq === -1 ? (spec.kind === 'bool' ? undefined : r.value(name)) : tok.slice(eq + 1);
    setOwn(own, name, spec, value);
    return true;
  }
  if (tok.length < 2 || tok[0] !== '-') return false;
  const letter = tok[1];
  const long = OWN_SHORT[letter];
  if (!long || shadows.includes(letter)) return false;
  r.next();
  let value: string;
  if (tok.length === 2) value = r.value(`-${letter}`);
  else value = tok[2] === '=' ? tok.slice(3) : tok.slice(2);
  setOwn(own, `-${letter}`, OWN_LONG[long], value);
  return true;
}

/**
 * Passes on one Compose flag token (and its value when it takes one and is spelled apart).
 * Returns the tokens consumed.
 */
function composeFlag(r: Reader, values: ReadonlySet<string>): string[] {
  const tok = r.next();
  if (tok.startsWith('--')) {
    if (!tok.includes('=') && values.has(tok) && !r.done) return [tok, r.next()];
    return [tok];
  }
  // a short cluster: walk the letters like pflag; a value flag takes the rest or the next token
  for (let j = 1; j < tok.length; j++) {
    if (values.has(`-${tok[j]}`)) {
      if (j === tok.length - 1 && !r.done) return [tok, r.next()];
      return [tok];
    }
  }
  return [tok];
}

const isFlag = (tok: string) => tok.length > 1 && tok[0] === '-';

/** argv of `hardcompose SUB …` (SUB one of SUBCOMMANDS) → own flags + passthrough. */
export function scanSubcommandArgv(subcommand: string, argv: readonly string[]): ScannedArgv {
  const spec = SUBCOMMANDS[subcommand] ?? {};
  const values = new Set([...(spec.values ?? []), ...COMPOSE_GLOBAL_VALUES]);
  const own = emptyOwnFlags();
  const passthrough: string[] = [];
  const r = new Reader(argv);
  let ended = false;
  while (!r.done) {
    const tok = r.argv[r.i];
    if (ended) {
      passthrough.push(r.next());
      continue;
    }
    if (tok === '--') {
      passthrough.push(r.next());
      ended = true;
      continue;
    }
    if (isFlag(tok)) {
      if (readOwn(r, own, spec.shadows)) continue;
      passthrough.push(...composeFlag(r, values));
      continue;
    }
    passthrough.push(r.next());
    if (spec.stopAtPositional) ended = true;
  }
  if (subcommand === 'run' && own.projectName !== undefined && /[:/]/.test(own.projectName)) {
    throw usage(
      `-p is hardcompose's --project-name, and ${JSON.stringify(own.projectName)} is not a project name`,
      'to publish a port with hardcompose run, spell docker compose run\'s -p as --publish (e.g. --publish 8080:80)',
    );
  }
  return {subcommand, own, composeGlobals: [], passthrough};
}

/** argv of `hardcompose compose [own flags] [--] SUB ARGS…`. */
export function scanComposeArgv(argv: readonly string[]): ScannedArgv {
  const own = emptyOwnFlags();
  const globals: string[] = [];
  const values = new Set(COMPOSE_GLOBAL_VALUES);
  const r = new Reader(argv);
  while (!r.done) {
    const tok = r.argv[r.i];
    if (tok === '--') {
      r.next();
      break;
    }
    if (!isFlag(tok)) break;
    if (readOwn(r, own)) continue;
    globals.push(...composeFlag(r, values));
  }
  if (r.done) {
    throw usage('missing the docker compose subcommand', 'e.g. hardcompose compose -- up -d, or hardcompose compose ps');
  }
  const subcommand = r.next();
  return {subcommand, own, composeGlobals: globals, passthrough: argv.slice(r.i)};
}
