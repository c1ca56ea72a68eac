/**
 * examples/: realistic stacks with their committed hardcompose/ outputs. The real
 * `hardcompose check` must pass in each folder, so any change in the generator shows up as a
 * reviewed diff of the examples (regenerate with `hardcompose generate` in the folder and read
 * `git diff examples/`). And check must catch the two ways a folder goes wrong: a compose file
 * changed without regenerating, and a generated file edited by hand.
 */
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {repoRoot, requireCompose} from './helpers/compose-real.js';
import {copyTo, runCli} from './helpers/review.js';
import {ensureSelinuxStore, SELINUX_STORE_TOOLS} from './helpers/selinux-store.js';
import {requireTools} from './helpers/tools.js';

const base = path.join(repoRoot(), 'examples');
const examples = readdirSync(base)
  .filter((d) => existsSync(path.join(base, d, 'compose.yaml')))
  .sort();

test('there are at least six examples, one of them SELinux, each with committed outputs', () => {
  assert.ok(examples.length >= 6, `only ${examples.length}: ${examples}`);
  for (const e of ['wordpress-mariadb', 'traefik-docker-socket', 'postgres-pgadmin', 'nginx-app-redis', 'wireguard', 'selinux-gitea']) {
    assert.ok(examples.includes(e), `examples/${e} missing`);
  }
  for (const e of examples) assert.ok(existsSync(path.join(base, e, 'hardcompose/lock.json')), `examples/${e}/hardcompose/lock.json missing`);
});

test('the examples cover strict level, NET_ADMIN with /dev/net/tun, the Docker socket and SELinux', () => {
  const all = examples.map((e) => readFileSync(path.join(base, e, 'compose.yaml'), 'utf8')).join('\n');
  assert.match(all, /backend: selinux/);
  assert.match(all, /level: strict/);
  assert.match(all, /NET_ADMIN/);
  assert.match(all, /\/dev\/net\/tun/);
  assert.match(all, /\/var\/run\/docker\.sock/);
});

for (const name of examples) {
  test(`examples/${name}: hardcompose check passes`, () => {
    const dir = path.join(base, name);
    const lock = JSON.parse(readFileSync(path.join(dir, 'hardcompose/lock.json'), 'utf8'));
    // SELinux modules link against a policy with the container module: the private store the
    // SELinux tests build (Debian's own store has none).
    const selinux = lock.backend === 'selinux' && requireTools(`examples/${name} link`, ...SELINUX_STORE_TOOLS);
    const args = selinux ? ['check', '--selinux-root', ensureSelinuxStore().root] : ['check'];
    const r = runCli(args, dir);
    assert.is(r.status, 0, `hardcompose check in examples/${name}:\n${r.stdout}${r.stderr}\nIf the generator changed on purpose, run hardcompose generate in examples/${name} and review the diff.`);
    if (selinux) assert.match(r.stdout, /^✓ secilc: /m, 'modules really linked');
    if (lock.backend === 'apparmor' && requireTools(`examples/${name} compile`, 'apparmor_parser')) {
      assert.match(r.stdout, /^✓ apparmor_parser: /m, 'profiles really compiled');
    }
    if (requireCompose(`examples/${name} merge`)) assert.match(r.stdout, /^✓ docker compose config: /m, 'overlay really merged');
  });
}

test('check fails in a copy whose compose file changed, naming the input and the stale files', () => {
  const dir = copyTo(path.join(base, 'wordpress-mariadb'));
  const file = path.join(dir, 'compose.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('    expose: ["3306"]\n', '    expose: ["3306"]\n    cap_add: [SYS_NICE]\n'));
  const r = runCli(['check'], dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^✗ not up to date with compose\.yaml: /m);
  assert.match(r.stdout, /^    input compose\.yaml changed since the last generate$/m);
  assert.match(r.stdout, /^    apparmor\/hardcompose\.wordpress\.db: out of date$/m);
  assert.match(r.stdout, /^      db: \+ capability sys_nice \(services\.db\.cap_add\[0\]\)$/m);
  assert.not.match(r.stdout, 'hardcompose.wordpress.wordpress: out of date', 'the other service is untouched');
  // generate brings it back in line.
  assert.is(runCli(['generate'], dir).status, 0);
  assert.is(runCli(['check'], dir).status, 0);
});

test('check fails in a copy of the SELinux example whose compose file changed', () => {
  const dir = copyTo(path.join(base, 'selinux-gitea'));
  const file = path.join(dir, 'compose.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('      - "2222:22"\n', ''));
  const r = runCli(['check'], dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^    selinux\/hardcompose_forge_gitea\.cil: out of date$/m);
  assert.match(r.stdout, /^      gitea: - bind tcp port ssh_port_t \(services\.gitea\.ports\[1\]\)$/m);
  assert.match(r.stdout, /^    lock\.json: out of date$/m);
});

test('check fails in a copy whose generated profile was edited by hand, naming it', () => {
  const dir = copyTo(path.join(base, 'wordpress-mariadb'));
  const file = path.join(dir, 'hardcompose/apparmor/hardcompose.wordpress.wordpress');
  writeFileSync(file, readFileSync(file, 'utf8').replace('  deny mount,\n', '  deny mount,\n  /opt/** rwix,\n'));
  const r = runCli(['check'], dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stdout, /^    apparmor\/hardcompose\.wordpress\.wordpress: edited by hand \(its sha256 no longer matches lock\.json\)$/m);
  assert.match(r.stdout, /^      wordpress: - write\+exec \/opt\/\*\*$/m);
});

test('examples have no absolute host path and LF endings in their outputs', () => {
  for (const name of examples) {
    const out = path.join(base, name, 'hardcompose');
    const walk = (d: string): string[] => readdirSync(d, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    for (const f of walk(out)) {
      const text = readFileSync(f, 'utf8');
      assert.not.match(text, '\r', f);
      assert.not.ok(text.includes(repoRoot()), `${f} names the checkout's path`);
    }
  }
});

test.run();
