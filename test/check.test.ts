/**
 * `hardcompose check`, the CI gate, through the real binary: exit 0 only when the output folder
 * is what generate would write and (tools permitting) compiles and merges; exit 1 with a list of
 * what failed otherwise; a missing tool is "not checked", never a pass.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {formatCheck, useUnicode, type CheckResult} from '../src/core/check.js';
import {sha256} from '../src/render/lock.js';
import {requireCompose} from './helpers/compose-real.js';
import {runCli, snapshot, tempProject} from './helpers/review.js';
import {requireTools} from './helpers/tools.js';

const COMPOSE = `name: shop
services:
  web:
    image: nginx:1.25
    ports: ["8080:80"]
    security_opt: ["no-new-privileges:true"]
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: \${DB_PASSWORD:-dev}
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
`;

function generatedProject(compose = COMPOSE): string {
  const dir = tempProject({'compose.yaml': compose});
  const r = runCli(['generate', '--backend', 'apparmor'], dir);
  assert.is(r.status, 0, r.stderr);
  return dir;
}

const check = (dir: string, ...args: string[]) => runCli(['check', '--backend', 'apparmor', ...args], dir);

/** Rewrites a generated file and its hash in the lock, as a generator bug would produce it. */
function replaceGenerated(dir: string, rel: string, content: string): void {
  writeFileSync(path.join(dir, 'hardcompose', rel), content);
  const lockFile = path.join(dir, 'hardcompose/lock.json');
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  for (const o of lock.outputs) if (o.path === rel) o.sha256 = sha256(content);
  writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
}

test('check on a freshly generated project: every check passes, exit 0, nothing written', () => {
  const dir = generatedProject();
  const before = snapshot(dir);
  const r = check(dir);
  assert.is(r.status, 0, `${r.stdout}${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines[0], 'hardcompose check: project shop, backend apparmor, level baseline, mode enforce, hardcompose/');
  assert.is(lines[1], '✓ up to date with compose.yaml (4 files)');
  if (requireTools('check: apparmor_parser line', 'apparmor_parser')) {
    assert.match(r.stdout, /^✓ apparmor_parser: 2 profile\(s\) compile against \/etc\/apparmor\.d\/abi\/3\.0, each defines exactly its own name$/m);
  }
  if (requireCompose('check: docker compose line')) {
    assert.match(r.stdout, /^✓ docker compose config: overlay\.yml merges with compose\.yaml \(2 security_opt entries applied once each\)$/m);
    assert.is(lines[lines.length - 1], 'ok: hardcompose/ is up to date and valid');
  }
  assert.equal(snapshot(dir), before);
});

test('check after a compose change: exit 1, names the changed input, the stale files and what would change', () => {
  const dir = generatedProject();
  writeFileSync(path.join(dir, 'compose.yaml'), COMPOSE.replace('    image: postgres:16\n', '    image: postgres:16\n    cap_add: [SYS_NICE]\n'));
  const r = check(dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^✗ not up to date with compose\.yaml: 2 file\(s\) differ from what generate would write$/m);
  assert.match(r.stdout, /^    input compose\.yaml changed since the last generate$/m);
  assert.match(r.stdout, /^    apparmor\/hardcompose\.shop\.db: out of date$/m);
  assert.match(r.stdout, /^    lock\.json: out of date$/m);
  assert.match(r.stdout, /^      db: \+ capability sys_nice \(services\.db\.cap_add\[0\]\)$/m);
  assert.match(r.stdout, /^FAILED: up-to-date\. Review with `hardcompose diff`, run `hardcompose generate` and commit hardcompose\/\.$/m);
});

test('check when only a variable value changed that no policy depends on: still up to date, the value never printed', () => {
  const dir = generatedProject();
  const r = runCli(['check', '--backend', 'apparmor'], dir, {DB_PASSWORD: 's3cret-value'});
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.not.match(r.stdout + r.stderr, 's3cret');
  assert.not.match(readFileSync(path.join(dir, 'hardcompose/lock.json'), 'utf8'), 's3cret');
});

test('check after a hand edit: exit 1 naming the edited file', () => {
  const dir = generatedProject();
  const file = path.join(dir, 'hardcompose/apparmor/hardcompose.shop.web');
  writeFileSync(file, readFileSync(file, 'utf8').replace('  file,\n', '  file,\n  /srv/** rw,\n'));
  const r = check(dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^    apparmor\/hardcompose\.shop\.web: edited by hand \(its sha256 no longer matches lock\.json\)$/m);
  assert.match(r.stdout, /^      web: - write \/srv\/\*\*$/m);
});

test('check reports a policy file hardcompose did not write', () => {
  const dir = generatedProject();
  writeFileSync(path.join(dir, 'hardcompose/apparmor/custom'), 'profile custom {}\n');
  const r = check(dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^    apparmor\/custom: not written by hardcompose \(not in lock\.json\); remove it or move it out of hardcompose\/$/m);
});

test('check before any generate: every file missing, exit 1', () => {
  const dir = tempProject({'compose.yaml': COMPOSE});
  const r = check(dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^    overlay\.yml: missing$/m);
  assert.match(r.stdout, /^- not checked: apparmor_parser \(no profile on disk\)$/m);
  assert.match(r.stdout, /^✗ docker compose config: no overlay\.yml on disk to merge$/m);
});

test('check: a profile apparmor_parser rejects fails the compile check, naming the file', () => {
  if (!requireTools('check: compile failure', 'apparmor_parser')) return;
  const dir = generatedProject();
  const file = 'apparmor/hardcompose.shop.db';
  const text = readFileSync(path.join(dir, 'hardcompose', file), 'utf8');
  replaceGenerated(dir, file, text.replace('  file,\n', '  file,\n  /srv/** rwq,\n'));
  const r = check(dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^✗ apparmor_parser: 2 profile\(s\), some do not compile or define other names$/m);
  assert.match(r.stdout, /^    apparmor\/hardcompose\.shop\.db: does not compile:$/m);
  assert.match(r.stdout, /FAILED: up-to-date, apparmor_parser\./);
});

test('check: a profile defining another name fails the compile check', () => {
  if (!requireTools('check: profile name', 'apparmor_parser')) return;
  const dir = generatedProject();
  const file = 'apparmor/hardcompose.shop.db';
  const text = readFileSync(path.join(dir, 'hardcompose', file), 'utf8');
  replaceGenerated(dir, file, text.replace('profile hardcompose.shop.db ', 'profile docker-default '));
  const r = check(dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^    apparmor\/hardcompose\.shop\.db: defines docker-default, expected exactly hardcompose\.shop\.db$/m);
});

test('check: an overlay docker compose rejects fails the merge check', () => {
  if (!requireCompose('check: overlay rejected')) return;
  const dir = generatedProject();
  const overlay = readFileSync(path.join(dir, 'hardcompose/overlay.yml'), 'utf8');
  // Repeats the user's own entry: Compose rejects duplicated security_opt (docker/compose#11777).
  replaceGenerated(dir, 'overlay.yml', overlay.replace('      - "apparmor=hardcompose.shop.web"  # policy for web\n', '      - "apparmor=hardcompose.shop.web"  # policy for web\n      - "no-new-privileges:true"\n'));
  const r = check(dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^✗ docker compose config rejects the project with overlay\.yml\n    .*security_opt.*unique/m, r.stdout);
});

test('check without docker on PATH: the merge is "not checked", and that alone does not fail', () => {
  const dir = generatedProject();
  const r = runCli(['check', '--backend', 'apparmor'], dir, {PATH: '/nonexistent'});
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^- not checked: docker compose config \(neither docker nor docker-compose is on PATH\)$/m);
  assert.match(r.stdout, /^ok: hardcompose\/ is up to date \(1 check\(s\) not run: see above\)$/m);
});

test('check --json: one document', () => {
  const dir = generatedProject();
  writeFileSync(path.join(dir, 'compose.yaml'), COMPOSE.replace('nginx:1.25', 'nginx:1.27'));
  const r = check(dir, '--json');
  assert.is(r.status, 1);
  assert.is(r.stderr, '');
  const doc = JSON.parse(r.stdout) as CheckResult;
  assert.is(doc.ok, false);
  assert.is(doc.out, 'hardcompose');
  const upToDate = doc.checks.find((c) => c.id === 'up-to-date')!;
  assert.is(upToDate.status, 'fail');
  assert.ok(upToDate.problems.includes('lock.json: out of date'));
});

test('check with --out: the folder named, relative to the project', () => {
  const dir = tempProject({'compose.yaml': COMPOSE});
  mkdirSync(path.join(dir, 'deploy'));
  assert.is(runCli(['generate', '--backend', 'apparmor', '--out', 'deploy/policies'], dir).status, 0);
  const r = check(dir, '--out', 'deploy/policies');
  assert.is(r.status, 0, r.stdout);
  assert.match(r.stdout, 'deploy/policies/');
});

test('formatCheck: ASCII marks when the locale is not UTF-8', () => {
  const res: CheckResult = {
    ok: false, project: 'p', backend: 'apparmor', level: 'baseline', mode: 'enforce', out: 'hardcompose', notes: [], warnings: [],
    checks: [
      {id: 'up-to-date', status: 'pass', summary: 'up to date', problems: []},
      {id: 'apparmor_parser', status: 'fail', summary: 'apparmor_parser: bad', problems: ['x: does not compile:']},
      {id: 'compose-config', status: 'skip', summary: 'not checked: docker compose config', problems: []},
    ],
  };
  assert.ok(useUnicode({}));
  assert.ok(useUnicode({LANG: 'en_US.UTF-8'}));
  assert.not.ok(useUnicode({LANG: 'C'}));
  assert.not.ok(useUnicode({LC_ALL: 'POSIX', LANG: 'en_US.UTF-8'}));
  assert.is(formatCheck(res, {unicode: false}), [
    'hardcompose check: project p, backend apparmor, level baseline, mode enforce, hardcompose/',
    '[ok] up to date',
    '[FAIL] apparmor_parser: bad',
    '    x: does not compile:',
    '[skip] not checked: docker compose config',
    'FAILED: apparmor_parser.',
    '',
  ].join('\n'));
});

test.run();
