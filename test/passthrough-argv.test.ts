/**
 * The passthrough argv scanner: hardcompose's own flags taken where they stand, everything else
 * passed to the Compose subcommand in order; `run`/`exec` stop at the service like Compose does.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {emptyOwnFlags, scanComposeArgv, scanSubcommandArgv, type OwnFlags} from '../src/core/passthrough-argv.js';

const own = (o: Partial<OwnFlags> = {}): OwnFlags => ({...emptyOwnFlags(), ...o});

interface Row {
  sub: string;
  argv: string[];
  own: Partial<OwnFlags>;
  pass: string[];
}

const rows: Row[] = [
  // the example
  {sub: 'run', argv: ['-p', 'x', '--rm', 'web', 'sh', '-c', 'exit 7'], own: {projectName: 'x'}, pass: ['--rm', 'web', 'sh', '-c', 'exit 7']},
  // after the service everything is the container's command
  {sub: 'run', argv: ['web', 'ls', '-p'], own: {}, pass: ['web', 'ls', '-p']},
  {sub: 'run', argv: ['web', 'ls', '-f', 'x', '--frozen', '--backend', 'nope'], own: {}, pass: ['web', 'ls', '-f', 'x', '--frozen', '--backend', 'nope']},
  {sub: 'run', argv: ['--allow-unconfined', 'web', '--allow-unconfined'], own: {allowUnconfined: true}, pass: ['web', '--allow-unconfined']},
  // values of compose's value flags are not the service
  {sub: 'run', argv: ['-e', 'A=1', '--name', 'n', '-u', '1000', 'web', 'id', '-p'], own: {}, pass: ['-e', 'A=1', '--name', 'n', '-u', '1000', 'web', 'id', '-p']},
  {sub: 'run', argv: ['-eA=1', '--env=B=2', '-p=proj', 'web'], own: {projectName: 'proj'}, pass: ['-eA=1', '--env=B=2', 'web']},
  {sub: 'run', argv: ['-it', '-v', '/a:/b', '--publish', '8080:80', 'web', 'sh'], own: {}, pass: ['-it', '-v', '/a:/b', '--publish', '8080:80', 'web', 'sh']},
  // a cluster ending with a value flag takes the next token as its value
  {sub: 'run', argv: ['-de', 'X=1', 'web', '-f', 'y'], own: {}, pass: ['-de', 'X=1', 'web', '-f', 'y']},
  {sub: 'run', argv: ['--', 'web', '-p', 'x'], own: {}, pass: ['--', 'web', '-p', 'x']},
  {sub: 'exec', argv: ['-T', '-f', 'c.yaml', 'web', 'cat', '-p'], own: {file: ['c.yaml']}, pass: ['-T', 'web', 'cat', '-p']},
  {sub: 'exec', argv: ['--index', '2', 'web', 'sh', '-c', 'echo --level strict'], own: {}, pass: ['--index', '2', 'web', 'sh', '-c', 'echo --level strict']},
  // up/down/… read flags after service names too
  {sub: 'up', argv: ['-d', 'web', '-p', 'proj', 'db', '--frozen'], own: {projectName: 'proj', frozen: true}, pass: ['-d', 'web', 'db']},
  {sub: 'up', argv: ['-fcompose.yaml', '--file=other.yaml', '-f', 'third.yaml', '-d'], own: {file: ['compose.yaml', 'other.yaml', 'third.yaml']}, pass: ['-d']},
  {sub: 'up', argv: ['--env-file', 'a.env', '--env-file=b.env', '--profile', 'dev', '--profile=debug', '--project-directory', 'sub'], own: {envFile: ['a.env', 'b.env'], profile: ['dev', 'debug'], projectDirectory: 'sub'}, pass: []},
  {sub: 'up', argv: ['--backend', 'selinux', '--level=strict', '--mode', 'complain', '--out', 'policies', '--selinux-relabel'], own: {backend: 'selinux', level: 'strict', mode: 'complain', out: 'policies', selinuxRelabel: true}, pass: []},
  {sub: 'up', argv: ['--frozen=false', '--allow-unconfined=true'], own: {frozen: false, allowUnconfined: true}, pass: []},
  {sub: 'up', argv: ['-t', '5', '--scale', 'web=2', '--attach', 'web', '-dV'], own: {}, pass: ['-t', '5', '--scale', 'web=2', '--attach', 'web', '-dV']},
  {sub: 'up', argv: ['--ansi', 'never', '--progress=plain', '-d'], own: {}, pass: ['--ansi', 'never', '--progress=plain', '-d']},
  // -- ends hardcompose's flags and is passed on
  {sub: 'up', argv: ['-d', '--', '-p'], own: {}, pass: ['-d', '--', '-p']},
  // a lone - is an argument
  {sub: 'up', argv: ['-'], own: {}, pass: ['-']},
  // logs: -f is --follow there; --file stays hardcompose's
  {sub: 'logs', argv: ['-f', '--tail', '5', 'web'], own: {}, pass: ['-f', '--tail', '5', 'web']},
  {sub: 'logs', argv: ['--file', 'c.yaml', '-f', '-p', 'proj', '-n', '3'], own: {file: ['c.yaml'], projectName: 'proj'}, pass: ['-f', '-n', '3']},
  {sub: 'down', argv: ['-v', '--rmi', 'local', '-p', 'x', '--remove-orphans'], own: {projectName: 'x'}, pass: ['-v', '--rmi', 'local', '--remove-orphans']},
  {sub: 'ps', argv: ['--format', 'json', '-a', '-q'], own: {}, pass: ['--format', 'json', '-a', '-q']},
  {sub: 'restart', argv: ['-t', '1', 'web'], own: {}, pass: ['-t', '1', 'web']},
  {sub: 'start', argv: ['web', '--out', 'o'], own: {out: 'o'}, pass: ['web']},
  {sub: 'create', argv: ['--pull', 'never', 'web'], own: {}, pass: ['--pull', 'never', 'web']},
];

for (const r of rows) {
  test(`scan ${r.sub} ${JSON.stringify(r.argv)}`, () => {
    const got = scanSubcommandArgv(r.sub, r.argv);
    assert.is(got.subcommand, r.sub);
    assert.equal(got.own, own(r.own), 'own flags');
    assert.equal(got.passthrough, r.pass, 'passthrough, in order');
    assert.equal(got.composeGlobals, []);
  });
}

const bad: Array<{sub: string; argv: string[]; match: RegExp}> = [
  {sub: 'up', argv: ['-f'], match: /-f needs a value/},
  {sub: 'up', argv: ['--project-name'], match: /--project-name needs a value/},
  {sub: 'up', argv: ['--backend', 'smack'], match: /--backend must be one of apparmor, selinux/},
  {sub: 'up', argv: ['--level=paranoid'], match: /--level must be one of baseline, strict/},
  {sub: 'up', argv: ['--frozen=maybe'], match: /--frozen takes no value/},
  {sub: 'run', argv: ['-p', '8080:80', 'web'], match: /not a project name/},
];
for (const b of bad) {
  test(`scan ${b.sub} ${JSON.stringify(b.argv)} is a usage error (exit 2)`, () => {
    try {
      scanSubcommandArgv(b.sub, b.argv);
      assert.unreachable('should have thrown');
    } catch (e) {
      assert.instance(e, UserError);
      assert.is((e as UserError).code, 'E_USAGE');
      assert.match((e as UserError).message, b.match);
      assert.ok((e as UserError).hint, 'has a hint');
    }
  });
}

test('run -p PORTSPEC: the hint says to spell it --publish', () => {
  try {
    scanSubcommandArgv('run', ['-p', '8080:80', 'web']);
  } catch (e) {
    assert.match((e as UserError).hint ?? '', /--publish/);
  }
});

test('compose: own flags before the subcommand, compose globals kept apart, the rest verbatim', () => {
  const got = scanComposeArgv(['-p', 'x', '--ansi', 'never', '--dry-run', '-f', 'a.yaml', 'rm', '-f', '-s', '-p', 'y']);
  assert.is(got.subcommand, 'rm');
  assert.equal(got.own, own({projectName: 'x', file: ['a.yaml']}));
  assert.equal(got.composeGlobals, ['--ansi', 'never', '--dry-run']);
  assert.equal(got.passthrough, ['-f', '-s', '-p', 'y']);
});

test('compose: -- separates, and what follows is verbatim', () => {
  const got = scanComposeArgv(['--frozen', '--', 'up', '-d', '--frozen']);
  assert.is(got.subcommand, 'up');
  assert.equal(got.own, own({frozen: true}));
  assert.equal(got.passthrough, ['-d', '--frozen']);
});

test('compose: a missing subcommand is a usage error', () => {
  for (const argv of [[], ['-p', 'x'], ['--']]) {
    try {
      scanComposeArgv(argv);
      assert.unreachable(`${JSON.stringify(argv)} should throw`);
    } catch (e) {
      assert.instance(e, UserError);
      assert.match((e as UserError).message, /missing the docker compose subcommand/);
    }
  }
});

test.run();
