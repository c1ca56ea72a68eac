/**
 * YAML as Compose reads it (src/compose/yaml.ts): goccy/go-yaml's integers (leading-zero octal,
 * digit underscores), anchors and merge keys, several documents, the `!reset`/`!override` tags,
 * and a bounded alias expansion. Expected values were read from `docker compose config` 2.26.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {MAX_EXPANDED_NODES, OverrideTag, ResetTag, parseComposeYaml} from '../src/compose/yaml.js';
import {cleanProjects, loadFiles} from './helpers/compose-tmp.js';

const one = (text: string) => parseComposeYaml(text, 'compose.yaml')[0] as Record<string, unknown>;

/** [scalar, value]: how a plain scalar is typed. */
const SCALARS: Array<[string, unknown]> = [
  ['0400', 256],
  ['012', 10],
  ['-010', -8],
  ['0o17', 15],
  ['0x1F', 31],
  ['0b101', 5],
  ['1_000', 1000],
  ['0', 0],
  ['12', 12],
  ['1e3', 1000],
  ['1.5', 1.5],
  ['"0400"', '0400'],
  ['60:30', '60:30'],
  ['yes', 'yes'],
  ['on', 'on'],
  ['TRUE', true],
  ['~', null],
];
for (const [scalar, value] of SCALARS) {
  test(`YAML scalar ${scalar}`, () => assert.equal(one(`v: ${scalar}`).v, value));
}

test('a tmpfs mode written 01777 is octal, as Compose reads it', () => {
  const p = loadFiles({'compose.yaml': 'services:\n  a:\n    image: x\n    volumes:\n      - type: tmpfs\n        target: /t\n        tmpfs: {mode: 01777}\n'});
  assert.is(p.model.services.a.volumes?.[0].tmpfs?.mode, 0o1777);
});

test('anchors, aliases and merge keys (a local key beats the merged one)', () => {
  const d = one('x: &base {read_only: true, cap_drop: [ALL]}\nservices:\n  a:\n    <<: *base\n    read_only: false\n  b:\n    <<: [*base, {user: "1"}]\n');
  const services = d.services as Record<string, Record<string, unknown>>;
  assert.equal(services.a, {read_only: false, cap_drop: ['ALL']});
  assert.equal(services.b, {read_only: true, cap_drop: ['ALL'], user: '1'});
});

test('several documents in one file, empty ones skipped', () => {
  assert.is(parseComposeYaml('services: {a: {image: x}}\n---\n---\nservices: {b: {image: y}}\n', 'f').length, 2);
});

test('!reset and !override tags on scalars, sequences and mappings', () => {
  const d = one('a: !reset\nb: !reset []\nc: !override [1]\nd: !override {k: v}\n');
  assert.instance(d.a, ResetTag);
  assert.instance(d.b, ResetTag);
  assert.instance(d.c, OverrideTag);
  assert.equal((d.d as OverrideTag).value, {k: 'v'});
});

function yamlError(text: string): UserError {
  try {
    parseComposeYaml(text, 'compose.yaml');
  } catch (e) {
    assert.instance(e, UserError);
    return e as UserError;
  }
  throw new Error('expected an error');
}

test('syntax errors carry file, line and column; duplicate keys are errors (Compose too)', () => {
  const e = yamlError('services:\n  web:\n    image: nginx\n    image: httpd\n');
  assert.is(e.code, 'E_YAML_SYNTAX');
  assert.equal({file: e.where.file, line: e.where.line}, {file: 'compose.yaml', line: 4});
  assert.ok(e.where.column);
});

test('a top level that is not a mapping is refused', () => {
  assert.is(yamlError('- a\n- b\n').code, 'E_TOP_LEVEL');
});

test(`an alias bomb stops at ${MAX_EXPANDED_NODES} nodes, fast`, () => {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  const started = process.cpuUsage();
  assert.is(yamlError(lines.join('\n')).code, 'E_YAML_ALIAS_BOMB');
  const used = process.cpuUsage(started);
  assert.ok((used.user + used.system) / 1000 < 1000, 'under a second of CPU');
});

test.after(cleanProjects);
test.run();
