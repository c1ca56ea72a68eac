/**
 * Interpolation tables (compose-spec "Interpolation"; src/compose/interpolate.ts). Every
 * expected value here was checked against `docker compose config` 2.26 with SET=val, EMPTY=''
 * and UNSET, NOPE unset — including its quirks: an operand is evaluated even when its branch is
 * not taken (so it warns, and a `:?` inside it fails), and a lone `$` stays literal.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {interpolateString, interpolateTree} from '../src/compose/interpolate.js';
import {cleanProjects, loadFiles} from './helpers/compose-tmp.js';

const ENV: Record<string, string> = {SET: 'val', EMPTY: '', CAP: 'NET_ADMIN'};

function run(input: string, env = ENV): {value: string; unset: string[]} {
  const unset = new Set<string>();
  const value = interpolateString(input, {lookup: (n) => env[n], onUnset: (n) => unset.add(n), file: 'compose.yaml', path: 'services.web.image'});
  return {value, unset: [...unset].sort()};
}

function failure(input: string, env = ENV): UserError {
  try {
    run(input, env);
  } catch (e) {
    assert.instance(e, UserError);
    return e as UserError;
  }
  throw new assert.Assertion({message: `expected ${JSON.stringify(input)} to fail`, expects: 'an error', actual: 'a value', operator: 'throws', generated: false});
}

/** [input, expected value, variables reported unset]. */
const VALUES: Array<[string, string, string[]?]> = [
  // plain forms
  ['no dollar', 'no dollar'],
  ['$SET', 'val'],
  ['${SET}', 'val'],
  ['$SET-x', 'val-x'],
  ['$SET_x', '', ['SET_x']],
  ['${SET}x', 'valx'],
  ['$SET$SET', 'valval'],
  ['${SET}${SET}', 'valval'],
  ['$UNSET', '', ['UNSET']],
  ['${UNSET}', '', ['UNSET']],
  ['${a}', '', ['a']],
  ['$_', '', ['_']],
  // :- and -
  ['${UNSET:-d}', 'd'],
  ['${EMPTY:-d}', 'd'],
  ['${SET:-d}', 'val'],
  ['${UNSET-d}', 'd'],
  ['${EMPTY-d}', ''],
  ['${SET-d}', 'val'],
  ['${UNSET:-}', ''],
  ['${UNSET-}', ''],
  ['${UNSET:-a:b}', 'a:b'],
  ['${UNSET:-a}b', 'ab'],
  ['x${UNSET:-a}y${SET}z', 'xayvalz'],
  // :? and ? when the variable is there
  ['${SET:?}', 'val'],
  ['${SET:?msg}', 'val'],
  ['${EMPTY?msg}', ''],
  // :+ and +
  ['${SET:+alt}', 'alt'],
  ['${EMPTY:+alt}', ''],
  ['${UNSET:+alt}', ''],
  ['${SET+alt}', 'alt'],
  ['${EMPTY+alt}', 'alt'],
  ['${UNSET+alt}', ''],
  // nesting
  ['${UNSET:-${EMPTY:-c}}', 'c'],
  ['${UNSET-${SET}}', 'val'],
  ['${UNSET:-$SET}', 'val'],
  ['${SET:+${UNSET:-q}}', 'q'],
  ['${UNSET:-${SET:+inner}-x}', 'inner-x'],
  ['${UNSET:-{a}}', '{a}'],
  // an unused default is still evaluated: Compose warns about the variable in it
  ['${SET:-${UNSET2}}', 'val', ['UNSET2']],
  // $$ and lone dollars
  ['$$', '$'],
  ['$${SET}', '${SET}'],
  ['$$SET', '$SET'],
  ['a$', 'a$'],
  ['$1', '$1'],
  ['$-', '$-'],
  ['$ SET', '$ SET'],
  ['$}', '$}'],
  ['${SET}}', 'val}'],
  ['{$SET}', '{val}'],
  ['${UNSET:-$$}', '$'],
  ['${UNSET:-a$$b}', 'a$b'],
  ['${UNSET:-$}', '$'],
  ['${SET:-$}', 'val'],
];

for (const [input, expected, unset = []] of VALUES) {
  test(`interpolate ${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
    const r = run(input);
    assert.is(r.value, expected);
    assert.equal(r.unset, unset, 'variables reported unset');
  });
}

/** [input, code, text the message must contain]. */
const ERRORS: Array<[string, string, string]> = [
  ['${UNSET:?}', 'E_REQUIRED_VARIABLE', 'UNSET'],
  ['${UNSET?}', 'E_REQUIRED_VARIABLE', 'UNSET'],
  ['${EMPTY:?must not be empty}', 'E_REQUIRED_VARIABLE', 'EMPTY is missing a value: must not be empty'],
  ['${UNSET:?set UNSET in .env}', 'E_REQUIRED_VARIABLE', 'set UNSET in .env'],
  // evaluated although the branch is not taken, as Compose does
  ['${SET:-${X:?boom}}', 'E_REQUIRED_VARIABLE', 'X is missing a value: boom'],
  ['${UNSET:+${X:?boom}}', 'E_REQUIRED_VARIABLE', 'X is missing a value: boom'],
  ['${}', 'E_INTERPOLATION', '${}'],
  ['${A B}', 'E_INTERPOLATION', '${A B}'],
  ['${ A}', 'E_INTERPOLATION', '${ A}'],
  ['${A:-', 'E_INTERPOLATION', '${A:-'],
  ['${A-B', 'E_INTERPOLATION', '${A-B'],
  ['${A!}', 'E_INTERPOLATION', '${A!}'],
  ['${A:x}', 'E_INTERPOLATION', '${A:x}'],
  ['${A:}', 'E_INTERPOLATION', '${A:}'],
  ['${A:=x}', 'E_INTERPOLATION', '${A:=x}'],
  ['${1A}', 'E_INTERPOLATION', '${1A}'],
  ['${A.B}', 'E_INTERPOLATION', '${A.B}'],
  ['${A:-${B}', 'E_INTERPOLATION', '${A:-${B}'],
];

for (const [input, code, text] of ERRORS) {
  test(`interpolate ${JSON.stringify(input)} fails with ${code}`, () => {
    const e = failure(input);
    assert.is(e.code, code);
    assert.ok(e.message.includes(text), `message ${JSON.stringify(e.message)} includes ${JSON.stringify(text)}`);
    assert.is(e.where.file, 'compose.yaml', 'the error names the file');
    assert.is(e.where.path, 'services.web.image', 'and the compose path');
    assert.ok(e.hint, 'and gives a hint');
  });
}

test('interpolateTree: values are interpolated, keys are not, and paths name list items', () => {
  const out = interpolateTree({services: {$SET: {image: '${SET}', cap_add: ['$CAP', '${UNSET:-SYS_TIME}']}}}, {lookup: (n) => ENV[n], onUnset: () => {}, file: 'f'});
  assert.equal(out, {services: {$SET: {image: 'val', cap_add: ['NET_ADMIN', 'SYS_TIME']}}});
  try {
    interpolateTree({services: {web: {ports: ['80', '${P:?}']}}}, {lookup: () => undefined, onUnset: () => {}, file: 'f'});
    assert.unreachable('should fail');
  } catch (e) {
    assert.is((e as UserError).where.path, 'services.web.ports[1]');
  }
});

test('loadProject: an unset variable warns once, naming the variable', () => {
  const p = loadFiles({'compose.yaml': 'services:\n  web:\n    image: "nginx:${TAG}"\n    user: "${TAG}"\n'});
  assert.equal(p.warnings, ['The "TAG" variable is not set. Defaulting to a blank string.']);
  assert.is(p.model.services.web.image, 'nginx:');
  assert.equal(p.interpolated, {TAG: null});
});

test('loadProject: a :? error names the variable, the file and the compose path', () => {
  try {
    loadFiles({'compose.yaml': 'services:\n  web:\n    image: nginx\n  db:\n    image: postgres\n    environment:\n      PASSWORD: ${DB_PASSWORD:?set it in .env}\n'});
    assert.unreachable('should fail');
  } catch (e) {
    const u = e as UserError;
    assert.is(u.code, 'E_REQUIRED_VARIABLE');
    assert.ok(u.message.includes('DB_PASSWORD'));
    assert.is(u.where.file, 'compose.yaml');
    assert.is(u.where.path, 'services.db.environment.PASSWORD');
  }
});

test('loadProject: strings cast back to booleans after interpolation (privileged: "${PRIV:-true}")', () => {
  const p = loadFiles({'compose.yaml': 'services:\n  a:\n    image: x\n    privileged: "${PRIV:-true}"\n    read_only: "${RO}"\n'}, {env: {RO: 'no'}});
  assert.is(p.model.services.a.privileged, true);
  assert.is(p.model.services.a.read_only, false);
});

test('loadProject: ${COMPOSE_PROJECT_NAME} is the chosen project name', () => {
  const p = loadFiles({'compose.yaml': 'name: shop\nservices:\n  a:\n    image: "reg/${COMPOSE_PROJECT_NAME}"\n'}, {projectName: 'prod'});
  assert.is(p.model.services.a.image, 'reg/prod');
});

test.after(cleanProjects);
test.run();
