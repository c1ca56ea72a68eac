/**
 * Merge rules (compose-spec merge.md; src/compose/merge.ts, reset.ts, extends.ts): a base file
 * and an override, loaded end to end. Each expectation was read from `docker compose config`
 * 2.26 on the same two files.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {dedupeByKey, enforceUnicity, findRepeated, mergeValues} from '../src/compose/merge.js';
import {applyTagPaths, takeTags} from '../src/compose/reset.js';
import {parseComposeYaml} from '../src/compose/yaml.js';
import {cleanProjects, loadFiles} from './helpers/compose-tmp.js';

type Obj = Record<string, any>;

/** Loads `base` + `override` (compose.yaml + compose.override.yaml) and returns service `a`. */
function merged(base: string, override: string, service = 'a'): Obj {
  const p = loadFiles({'compose.yaml': `services:\n  ${service}:\n${indent(base)}`, 'compose.override.yaml': `services:\n  ${service}:\n${indent(override)}`});
  return p.model.services[service] as Obj;
}
const indent = (s: string) => s.replace(/^/gm, '    ').replace(/ +$/, '');

const BASE = `image: x
volumes: [/a:/x, /b:/y]
ports: ["80:80", "81:81"]
command: ["a", "b"]
entrypoint: /bin/sh
healthcheck: {test: ["CMD", "a"], interval: 5s}
environment: {A: "1", B: "2"}
labels: [x=1]
security_opt: [label=disable]
cap_add: [A, B]
secrets: [s1, {source: s2, target: /t}]
dns: 1.1.1.1
devices: [/dev/a:/dev/x:r, /dev/b]
tmpfs: /run
`;
const OVERRIDE = `volumes: [/c:/x]
ports: ["80:80"]
command: ["c"]
entrypoint: [/bin/bash, -c]
healthcheck: {test: ["CMD", "b"]}
environment: [B=3, C=4]
labels: {y: "2"}
security_opt: [no-new-privileges:true]
cap_add: [B, C]
secrets: [{source: s1, target: /t}]
dns: [8.8.8.8]
devices: [/dev/c:/dev/x]
tmpfs: [/run, /tmp]
`;
const SECRETS = 'secrets: {s1: {file: ./s1}, s2: {file: ./s2}}\n';

function mergedWithSecrets(): Obj {
  const p = loadFiles({'compose.yaml': `services:\n  a:\n${indent(BASE)}${SECRETS}`, 'compose.override.yaml': `services:\n  a:\n${indent(OVERRIDE)}`});
  return p.model.services.a as Obj;
}

test('mappings merge, the override winning per key (environment, labels, healthcheck)', () => {
  const a = mergedWithSecrets();
  assert.equal(a.environment, {A: '1', B: '3', C: '4'});
  assert.equal(a.labels, {x: '1', y: '2'});
  assert.equal(a.healthcheck, {test: ['CMD', 'b'], interval: '5s'});
});

test('command, entrypoint and healthcheck.test are replaced, not appended', () => {
  const a = mergedWithSecrets();
  assert.equal(a.command, ['c']);
  assert.equal(a.entrypoint, ['/bin/bash', '-c']);
  assert.equal(a.healthcheck.test, ['CMD', 'b']);
});

test('volumes are unique by target: the override replaces the mount in place', () => {
  assert.equal(
    mergedWithSecrets().volumes.map((v: Obj) => `${v.source}:${v.target}`),
    ['/c:/x', '/b:/y'],
  );
});

test('ports are unique by host_ip:published:target/protocol', () => {
  assert.equal(mergedWithSecrets().ports.map((p: Obj) => `${p.published}:${p.target}`), ['80:80', '81:81']);
});

test('devices are unique by target; secrets by target', () => {
  const a = mergedWithSecrets();
  assert.equal(a.devices, [
    {source: '/dev/c', target: '/dev/x', permissions: 'rwm'},
    {source: '/dev/b', target: '/dev/b', permissions: 'rwm'},
  ]);
  assert.equal(a.secrets, [
    {source: 's1', target: '/run/secrets/s1'},
    {source: 's1', target: '/t'},
  ]);
});

test('capabilities, dns and tmpfs append and drop repeats; a string is a one-item list', () => {
  const a = mergedWithSecrets();
  assert.equal(a.cap_add, ['A', 'B', 'C']);
  assert.equal(a.dns, ['1.1.1.1', '8.8.8.8']);
  assert.equal(a.tmpfs, ['/run', '/tmp']);
});

test('security_opt is appended and NOT de-duplicated', () => {
  assert.equal(mergedWithSecrets().security_opt, ['label=disable', 'no-new-privileges:true']);
});

test('a repeated security_opt entry across files is refused, naming the file that repeats it (docker/compose#11777)', () => {
  try {
    merged('image: x\nsecurity_opt: [apparmor=docker-default]\n', 'security_opt: [apparmor=docker-default]\n');
    assert.unreachable('should fail');
  } catch (e) {
    const u = e as UserError;
    assert.is(u.code, 'E_SCHEMA');
    assert.is(u.where.file, 'compose.override.yaml');
    assert.is(u.where.path, 'services.a.security_opt');
  }
});

test('repeats inside one file: unique lists drop them, security_opt-like lists are refused', () => {
  const a = loadFiles({'compose.yaml': 'services:\n  a:\n    image: x\n    cap_add: [X, X]\n    ports: ["80:80", "0.0.0.0:80:80"]\n    volumes: ["/a:/x", "/b:/x/"]\n'}).model.services.a as Obj;
  assert.equal(a.cap_add, ['X']);
  assert.is(a.ports.length, 1);
  assert.equal(a.volumes.map((v: Obj) => v.source), ['/b']);
  for (const key of ['security_opt', 'group_add', 'external_links', 'volumes_from', 'extra_hosts']) {
    const v = key === 'extra_hosts' ? '["h:1.1.1.1", "h:1.1.1.1"]' : key === 'volumes_from' ? '[b, b]' : '[a, a]';
    try {
      loadFiles({'compose.yaml': `services:\n  b:\n    image: x\n  a:\n    image: x\n    ${key}: ${v}\n`});
      assert.unreachable(`${key} repeat should fail`);
    } catch (e) {
      assert.is((e as UserError).code, 'E_SCHEMA', key);
    }
  }
});

test('scalars are replaced; a service only in the override is added', () => {
  const p = loadFiles({'compose.yaml': 'services:\n  a:\n    image: x:1\n    user: root\n', 'compose.override.yaml': 'services:\n  a:\n    image: x:2\n  b:\n    image: y\n'});
  assert.is(p.model.services.a.image, 'x:2');
  assert.is(p.model.services.a.user, 'root');
  assert.ok(p.model.services.b);
});

test('!reset removes a value, a list item or a whole service; !override replaces instead of merging', () => {
  const p = loadFiles({
    'compose.yaml': 'services:\n  a:\n    image: x\n    ports: ["80:80"]\n    cap_add: [SYS_ADMIN, NET_ADMIN]\n    privileged: true\n    environment: {A: "1", B: "2"}\n    volumes: [/d:/d, /e:/e]\n  debug:\n    image: y\n',
    'compose.override.yaml': 'services:\n  a:\n    ports: !reset []\n    privileged: !reset null\n    cap_add: [CHOWN, !reset NET_ADMIN]\n    environment: !override {C: "3"}\n    volumes: !override [/f:/d]\n  debug: !reset\n',
  });
  const a = p.model.services.a as Obj;
  assert.is(a.ports, undefined);
  assert.is(a.privileged, undefined);
  assert.equal(a.cap_add, ['SYS_ADMIN', 'NET_ADMIN', 'CHOWN']);
  assert.equal(a.environment, {C: '3'});
  assert.equal(a.volumes.map((v: Obj) => `${v.source}:${v.target}`), ['/f:/d']);
  assert.is(p.model.services.debug, undefined);
});

test('!reset and !override also apply to what a service extends', () => {
  const p = loadFiles({'compose.yaml': 'services:\n  a:\n    image: x\n    ports: ["1:1"]\n    cap_add: [X1]\n  b:\n    extends: a\n    ports: !reset []\n    cap_add: !override [X9]\n'});
  const b = p.model.services.b as Obj;
  assert.is(b.ports, undefined);
  assert.equal(b.cap_add, ['X9']);
});

test('extends is resolved inside each file before the override: the override changes the base, not its extenders', () => {
  const p = loadFiles({
    'compose.yaml': 'services:\n  base:\n    image: base:1\n  child:\n    extends: base\n',
    'compose.override.yaml': 'services:\n  base:\n    image: base:2\n',
  });
  assert.is(p.model.services.base.image, 'base:2');
  assert.is(p.model.services.child.image, 'base:1');
});

test('extends.file: relative paths of the extended file resolve against its own folder', () => {
  const p = loadFiles({
    'compose.yaml': 'services:\n  web:\n    extends: {file: common/base.yaml, service: base}\n    volumes: [./local:/local]\n',
    'common/base.yaml': 'services:\n  base:\n    image: x\n    volumes: [./conf:/conf]\n',
  });
  const sources = (p.model.services.web.volumes ?? []).map((v) => v.source?.slice(p.workingDir.length));
  assert.equal(sources, ['/common/conf', '/local']);
});

test('mergeValues is pure and appends plain sequences', () => {
  const base = {services: {a: {x: [1], m: {k: 1}}}};
  const over = {services: {a: {x: [2], m: {j: 2}}}};
  const out = mergeValues(base, over, '');
  assert.equal(out, {services: {a: {x: [1, 2], m: {k: 1, j: 2}}}});
  assert.equal(base, {services: {a: {x: [1], m: {k: 1}}}}, 'base untouched');
});

test('dedupeByKey keeps the first position and the last value; enforceUnicity and findRepeated', () => {
  assert.equal(dedupeByKey(['a=1', 'b', 'a=2'], (v) => String(v).split('=')[0]), ['a=2', 'b']);
  const model = {services: {a: {cap_add: ['X', 'Y', 'X'], security_opt: ['s', 's']}}};
  enforceUnicity(model);
  assert.equal(model.services.a.cap_add, ['X', 'Y']);
  assert.equal(findRepeated(model), {path: 'services.a.security_opt', item: 's'});
});

test('takeTags records reset and override paths; applyTagPaths removes them from earlier layers', () => {
  const [doc] = parseComposeYaml('services:\n  a:\n    ports: !reset []\n    cap_add: !override [X]\n    user: root\n', 'compose.yaml');
  const {doc: plain, paths} = takeTags(doc as Obj);
  assert.equal(plain, {services: {a: {cap_add: ['X'], user: 'root'}}});
  assert.equal(paths, [['services', 'a', 'ports'], ['services', 'a', 'cap_add']]);
  const earlier: Obj = {services: {a: {ports: [1], cap_add: ['Y'], image: 'x'}}};
  applyTagPaths(earlier, paths);
  assert.equal(earlier, {services: {a: {image: 'x'}}});
});

test.after(cleanProjects);
test.run();
