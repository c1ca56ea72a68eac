/**
 * `.env` files (src/compose/env.ts) and where their variables rank (src/compose/load.ts).
 * Every expected value was read from `docker compose config` 2.26 loading the same lines.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {parseDotEnv} from '../src/compose/env.js';
import {cleanProjects, loadFiles} from './helpers/compose-tmp.js';

const parse = (text: string, outer: Record<string, string> = {}) => parseDotEnv(text, '.env', outer);

/** [line(s), expected variables]. */
const LINES: Array<[string, Record<string, string>]> = [
  ['# a comment\n\n', {}],
  ['PLAIN=plain value', {PLAIN: 'plain value'}],
  ['export EXP=exported', {EXP: 'exported'}],
  ['export  A=two spaces', {A: 'two spaces'}],
  ['  A=indented', {A: 'indented'}],
  ['SPACES_AROUND = padded  ', {SPACES_AROUND: 'padded'}],
  ['TRAIL=trailing   ', {TRAIL: 'trailing'}],
  ['EMPTY=', {EMPTY: ''}],
  ['EQ=a=b=c', {EQ: 'a=b=c'}],
  ['A: yaml style', {A: 'yaml style'}],
  ['A:=colon', {A: '=colon'}],
  ['1A=x', {'1A': 'x'}],
  ['A-B=1', {'A-B': '1'}],
  ['A.B=1', {'A.B': '1'}],
  // comments
  ['INLINE=value # a comment', {INLINE: 'value'}],
  ['A=a # c # d', {A: 'a'}],
  ['HASH=value#not-a-comment', {HASH: 'value#not-a-comment'}],
  ['DQ_COMMENT="quoted" # comment', {DQ_COMMENT: 'quoted'}],
  ["SQ_COMMENT='quoted' # comment", {SQ_COMMENT: 'quoted'}],
  ['A="x"junk', {A: 'x'}],
  // quoting
  ["SQ='single $PLAIN \\n # kept'", {SQ: 'single $PLAIN \\n # kept'}],
  ["A='a\\'b'", {A: "a'b"}],
  ["A='x\\y'", {A: 'x\\y'}],
  ['PLAIN=p\nDQ="double $PLAIN \\n \\t \\" \\\\ end"', {PLAIN: 'p', DQ: 'double p \n \t " \\ end'}],
  ['A="a\\nb"', {A: 'a\nb'}],
  ['MULTI="line1\nline2"', {MULTI: 'line1\nline2'}],
  ["QUOTE_IN=it's", {QUOTE_IN: "it's"}],
  ['BACKSLASH=a\\nb', {BACKSLASH: 'a\\nb'}],
  ['A=x\\ y', {A: 'x\\ y'}],
  // interpolation against earlier lines and the environment
  ['PLAIN=p\nEXPAND=${PLAIN}-x', {PLAIN: 'p', EXPAND: 'p-x'}],
  ['DEFAULT=${NOPE:-fallback}', {DEFAULT: 'fallback'}],
  ['A=${OUTER:+set}', {A: 'set'}],
  ['A=$', {A: '$'}],
  ['DOLLAR=cost$$5', {DOLLAR: 'cost$5'}],
  ['A="a\\$b"', {A: 'a$b'}],
  ['A=`cmd`', {A: '`cmd`'}],
  ['A=é', {A: 'é'}],
  // repeated keys: the last wins; a bare name takes its value from the environment
  ['DUP=first\nDUP=second', {DUP: 'second'}],
  ['OUTER', {OUTER: 'from-env'}],
  ['MISSING', {}],
  ['CRLF=crlf\r\nB=b\r\n', {CRLF: 'crlf', B: 'b'}],
];

for (const [text, expected] of LINES) {
  test(`.env ${JSON.stringify(text)}`, () => assert.equal(parse(text, {OUTER: 'from-env'}), expected));
}

/** [text, line of the error]. Compose refuses each of these too. */
const BAD: Array<[string, number]> = [
  ['A=1\nNOT A VALID LINE\n', 2],
  ['A B=1', 1],
  ['=nokey', 1],
  ['A="unterminated\n', 2],
  ["A='unterminated", 1],
];
for (const [text, line] of BAD) {
  test(`.env ${JSON.stringify(text)} is refused with its line`, () => {
    try {
      parse(text);
      assert.unreachable('should fail');
    } catch (e) {
      assert.instance(e, UserError);
      assert.is((e as UserError).code, 'E_ENV_FILE');
      assert.equal((e as UserError).where, {file: '.env', line});
    }
  });
}

test('.env: an invalid interpolation is refused', () => {
  try {
    parse('A=${B');
    assert.unreachable('should fail');
  } catch (e) {
    assert.is((e as UserError).code, 'E_INTERPOLATION');
  }
});

const COMPOSE = 'services:\n  a:\n    image: "${IMAGE}"\n    user: "${USER_ID:-none}"\n';

test('precedence: the process environment beats .env', () => {
  const p = loadFiles({'compose.yaml': COMPOSE, '.env': 'IMAGE=from-dotenv\nUSER_ID=1\n'}, {env: {IMAGE: 'from-process'}});
  assert.is(p.model.services.a.image, 'from-process');
  assert.is(p.model.services.a.user, '1');
});

test('precedence: --env-file replaces .env; later env files beat earlier ones; the process still wins', () => {
  const p = loadFiles(
    {'compose.yaml': COMPOSE, '.env': 'IMAGE=from-dotenv\nUSER_ID=1\n', 'a.env': 'IMAGE=from-a\nUSER_ID=2\n', 'b.env': 'USER_ID=3\n'},
    {envFiles: ['a.env', 'b.env']},
  );
  assert.is(p.model.services.a.image, 'from-a');
  assert.is(p.model.services.a.user, '3');
  const q = loadFiles({'compose.yaml': COMPOSE, 'a.env': 'IMAGE=from-a\n'}, {envFiles: ['a.env'], env: {IMAGE: 'from-process'}});
  assert.is(q.model.services.a.image, 'from-process');
});

test('precedence: an empty value in the process environment still wins over .env', () => {
  const p = loadFiles({'compose.yaml': COMPOSE, '.env': 'USER_ID=1\nIMAGE=x\n'}, {env: {USER_ID: ''}});
  assert.is(p.model.services.a.user, 'none');
});

test('.env can set COMPOSE_PROFILES, COMPOSE_PROJECT_NAME and COMPOSE_FILE', () => {
  const p = loadFiles({
    '.env': 'COMPOSE_FILE=deploy/compose.yaml\nCOMPOSE_PROJECT_NAME=from-dotenv\nCOMPOSE_PROFILES=debug\n',
    'deploy/compose.yaml': 'services:\n  a:\n    image: x\n  dbg:\n    image: y\n    profiles: [debug]\n',
  });
  assert.is(p.name, 'from-dotenv');
  assert.equal(Object.keys(p.model.services).sort(), ['a', 'dbg']);
});

test('a missing --env-file is an error naming it', () => {
  try {
    loadFiles({'compose.yaml': COMPOSE}, {envFiles: ['prod.env']});
    assert.unreachable('should fail');
  } catch (e) {
    assert.is((e as UserError).code, 'E_FILE');
    assert.is((e as UserError).where.file, 'prod.env');
  }
});

test.after(cleanProjects);
test.run();
