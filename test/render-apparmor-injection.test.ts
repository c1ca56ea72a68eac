/**
 * Property test: hostile mount targets cannot change a profile beyond the rules the plan asked
 * for. Thousands of seeded random paths built from AppArmor's special characters and profile
 * syntax (apparmor.d(5)), plus known payloads such as
 * `/x" rw,\n}\nprofile docker-default flags=(unconfined) {`:
 *
 * - a path with control, line-separator or invisible characters, or not absolute and normalised,
 *   is refused with UserError E_UNSAFE_PATH;
 * - any other path, as a writable and as a read-only mount, adds exactly the expected rule lines
 *   (everything else is byte-identical to the same service without mounts, the kernel-interface
 *   denies included);
 * - the real apparmor_parser compiles every profile (apparmor_parser(8), one batch run), finds
 *   exactly one profile per file with the expected name (`-N`), and compiles each path, in tree
 *   form and as quotePath gives it, to the literal path itself (`-D rule-exprs`).
 *
 * HARDCOMPOSE_FUZZ_SEED and HARDCOMPOSE_FUZZ_N reproduce or widen a run.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {compileProfile, compileProfiles, compiledLiterals, listProfileNames} from '../src/host/apparmor.js';
import type {FileRule, ServicePlan} from '../src/plan/types.js';
import {quotePath, renderAppArmorProfile} from '../src/render/apparmor/index.js';
import {securityPlan, servicePlan} from './helpers/builders.js';
import {requireTools} from './helpers/tools.js';

const SEED = Number(process.env.HARDCOMPOSE_FUZZ_SEED ?? 0x5eed1e55) >>> 0;
const N = Number(process.env.HARDCOMPOSE_FUZZ_N ?? 2500);

/** mulberry32: small, fast, good enough to spread inputs; the seed makes failures reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces that mean something to AppArmor's lexer, globbing, variables or to a reviewer. */
const ATOMS = [
  'a', 'Z', '0', '_', '-', '.', '..', ' ', '  ', '\\', '\\\\', '"', '\\"', '*', '**', '?', '[', ']', '[^', '{', '}',
  '^', ',', '@', '@{', '@{HOME}', '@{PROC}', '@\\{', '#', '#include <abstractions/base>', 'include <tunables/global>',
  '$', '(', ')', '|', '+', "'", '~', '%', '!', '&', ';', '=', '<', '>', '`', 'é', '中', '😀', '\u00a0',
  ' rw,', '" rw,', '" rwlkmix,', '}', '{,/**}', 'x5c', '\\x41', '\\x5c', '\\n', '\\0', '\\d34', '\\042',
  'profile docker-default flags=(unconfined) {', 'deny', 'audit', 'file,', 'capability,', 'ix', 'ux', '->',
  '/', 'flags=(complain)', '^hat', '//null-', ':', '%NAME%',
];
/** Characters a path must never carry into a profile. */
const UNSAFE_ATOMS = [
  '\n', '\r', '\0', '\t', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u009b', '\u00ad', '\u061c', '\u180e',
  '\u200b', '\u200e', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069', '\ufeff', '\ufffa', '\ud800', '\udfff',
];

const PAYLOADS = [
  '/x" rw,\n}\nprofile docker-default flags=(unconfined) {',
  '/x" rw, } profile docker-default flags=(unconfined) { "/y',
  '/x" rw,\r}\rprofile docker-default flags=(unconfined) {',
  '/x" rw,\u2028}\u2028profile docker-default flags=(unconfined) {',
  '/x\\',
  '/x\\\\',
  '/x\\" rw, /** rwlkmix, "/y',
  '/x\\\\" rw, /** rwlkmix, "/y',
  '/x" rw, /** ux, "',
  '/@{HOME}',
  '/@{PROC}/**',
  '/**',
  '/*',
  '/{,**}',
  '/[^/]',
  '/x, file,',
  '/a #include <abstractions/base>',
  '/a\n#include <abstractions/base>',
  '/ ',
  '/ /  ',
  '/',
  '/"',
  '/\\',
  '/\\"',
  '/"\\',
  '/x"\n  file,\n  capability,\n"',
  '/x" ix,\n}\n',
  '/%NAME%',
  '/$(reboot)',
  'relative/path',
  '/a//b',
  '/a/./b',
  '/a/../b',
  '/a/',
  `/${'x'.repeat(4094)}`,
  `/${'x'.repeat(4095)}`,
  `/${'é'.repeat(2047)}`,
  `/${'é'.repeat(2048)}`,
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function randomPath(r: () => number): string {
  const segments: string[] = [];
  const n = 1 + Math.floor(r() * 5);
  for (let s = 0; s < n; s++) {
    const roll = r();
    if (roll < 0.01) segments.push('');
    else if (roll < 0.02) segments.push(pick(r, ['.', '..']));
    else {
      let seg = '';
      const k = 1 + Math.floor(r() * 6);
      for (let i = 0; i < k; i++) seg += r() < 0.015 ? pick(r, UNSAFE_ATOMS) : pick(r, ATOMS);
      segments.push(seg);
    }
  }
  let p = `/${segments.join('/')}`;
  if (r() < 0.01) p = p.slice(1);
  if (r() < 0.01) p += '/';
  return p;
}

/** Independent oracle for "acceptable mount target" (same contract as the renderer's checkPath). */
function acceptable(p: string): boolean {
  if (!p.startsWith('/')) return false;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
    if ([0xad, 0x61c, 0x180e, 0xfeff].includes(c)) return false;
    if ((c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f)) return false;
    if (c >= 0xfff9 && c <= 0xfffb) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = p.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  if (Buffer.byteLength(p, 'utf8') > 4095) return false;
  if (p === '/') return true;
  return p
    .slice(1)
    .split('/')
    .every((s) => s !== '' && s !== '.' && s !== '..');
}

/** The rule path the plan asks for, escaped independently of the renderer. */
function expectedTree(p: string): string {
  if (p === '/') return '"/{,**}"';
  const body = p.replace(/[\\"*?[\]{}^,]/g, (c) => (c === '\\' ? '\\x5c' : `\\${c}`));
  return `"${body}{,/**}"`;
}

/** Paths per service: several hostile quoted strings in one profile (the lexer sees them together). */
const PER_PROFILE = 10;

function files(i: number, paths: string[]): FileRule[] {
  return paths.flatMap((p, k): FileRule[] => [
    {path: p, access: 'write', kind: 'volume', source: `services.p${i}.volumes[${2 * k}]`, detail: `data:${p}`, rule: 'mounts'},
    {
      path: p,
      access: 'deny-write',
      kind: 'bind',
      source: `services.p${i}.volumes[${2 * k + 1}]`,
      detail: `./ro:${p}:ro\n}\nprofile evil flags=(unconfined) {`,
      rule: 'mounts',
      hostPath: '/host/secret/place',
    },
  ]);
}

function render(i: number, paths: string[]): {sp: ServicePlan; text: string} {
  const sp = servicePlan({service: `p${i}`, project: 'inj', level: i % 2 === 0 ? 'baseline' : 'strict', files: files(i, paths)});
  return {sp, text: renderAppArmorProfile(securityPlan([sp], {project: 'inj'}), sp)};
}

/** Lines of `text` that are not in `base`, provided `base` appears in `text` in order. */
function addedLines(text: string, base: string): string[] | undefined {
  const t = text.split('\n');
  const b = base.split('\n');
  const added: string[] = [];
  let j = 0;
  for (const line of t) {
    if (j < b.length && line === b[j]) j++;
    else added.push(line);
  }
  return j === b.length ? added : undefined;
}

const KERNEL_BLOCK = readFileSync(new URL('../../templates/apparmor/kernel-interfaces.apparmor', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('##'))
  .map((l) => `  ${l.trimEnd()}`)
  .join('\n');

test(`render-apparmor injection: ${N} seeded hostile mount targets and the refused ones (seed ${SEED.toString(16)})`, () => {
  const r = prng(SEED);
  const paths = [...PAYLOADS];
  // N acceptable paths, plus however many refused ones the generator produced on the way.
  let acceptableCount = paths.filter(acceptable).length;
  while (acceptableCount < N) {
    const p = randomPath(r);
    paths.push(p);
    if (acceptable(p)) acceptableCount++;
  }

  // Refused paths: one service each, the error names the compose path.
  const accepted: string[] = [];
  let refused = 0;
  for (const [i, p] of paths.entries()) {
    if (acceptable(p)) {
      accepted.push(p);
      continue;
    }
    try {
      render(i, [p]);
    } catch (e) {
      assert.instance(e, UserError, `path ${JSON.stringify(p)}: ${String(e)}`);
      assert.is((e as UserError).code, 'E_UNSAFE_PATH');
      assert.match(String((e as UserError).where.path), new RegExp(`^services\\.p${i}\\.volumes\\[[01]\\]$`, 'u'));
      refused++;
      continue;
    }
    assert.unreachable(`path ${JSON.stringify(p)} should have been refused`);
  }
  assert.is(accepted.length, N, `${N} accepted paths`);
  assert.ok(refused >= 30, `hostile inputs were refused too (got ${refused})`);

  // Accepted paths, PER_PROFILE to a service, each as a writable and as a read-only mount.
  const header = '  # Mounts and paths as the container sees them.';
  const good: {name: string; text: string}[] = [];
  for (let i = 0; i * PER_PROFILE < accepted.length; i++) {
    const chunk = accepted.slice(i * PER_PROFILE, (i + 1) * PER_PROFILE);
    const {sp, text} = render(i, chunk);
    const base = render(i, []).text;
    const what = `service p${i} with ${JSON.stringify(chunk)}`;
    // Everything but the mount rules is byte-identical to the same service without mounts.
    const added = addedLines(text, base);
    assert.ok(added, `${what}: the rest of the profile is unchanged and in order`);
    // A blank line and the section comment come with the mount rules (where the blank line
    // lands in the diff is the diff's choice).
    assert.equal(added!.filter((l) => l === '' || l === header).sort(), ['', header], what);
    const want = new Set(
      chunk.flatMap((p) => {
        const tree = expectedTree(p);
        return sp.level === 'strict'
          ? [`${tree} rwkl,`, `audit deny ${tree} mx,`, `deny ${tree} wl,`]
          : [`${tree} rwk,`, `deny ${tree} wl,`];
      }),
    );
    const got = added!
      .filter((l) => l !== '' && l !== header)
      .map((l) => {
        assert.ok(l.startsWith('  '), `${what}: indented rule ${JSON.stringify(l)}`);
        const at = l.indexOf(' # services.');
        assert.ok(at > 0, `${what}: provenance comment on ${JSON.stringify(l)}`);
        assert.match(l.slice(at), /^ # services\.p\d+\.volumes\[\d+\] /u);
        return l.slice(2, at).trimEnd();
      });
    // Exactly the planned rules: none missing, none extra, none twice.
    assert.equal([...got].sort(), [...want].sort(), `${what}: exactly the planned rules`);
    assert.ok(text.includes(KERNEL_BLOCK), `${what}: kernel-interface denies intact`);
    assert.not.ok(text.includes('/host/secret/place'), 'host paths never rendered');
    assert.not.ok(/^profile evil/mu.test(text), 'comment text cannot start a profile');
    good.push({name: sp.profileName, text});
  }

  if (!requireTools('AppArmor injection property', 'apparmor_parser')) return;
  const dir = mkdtempSync(join(tmpdir(), 'hc-aa-inj-'));
  try {
    const files = good.map((g) => {
      const f = join(dir, g.name);
      writeFileSync(f, g.text);
      return f;
    });
    const batch = compileProfiles(files);
    const failed = batch.results.filter((x) => !x.ok);
    assert.is(failed.length, 0, failed.slice(0, 3).map((x) => `${x.file}: ${x.stderr}`).join('\n'));
    assert.ok(batch.ok);

    const names = listProfileNames(files);
    assert.ok(names.ok, names.stderr);
    assert.is(names.names.length, good.length, 'one profile per file');
    assert.equal([...names.names].sort(), good.map((g) => g.name).sort(), 'each with its own name');

    // Each rule path compiles to the literal path and nothing else: the tree form as rendered
    // (checked equal to expectedTree above) and quotePath's exact form. Small probe profiles,
    // one parser run each: a -D dump from parallel jobs would interleave, and thousands of paths
    // in one profile exceed the DFA's state limit ("Too many states").
    const exact = new Set<string>();
    const tree = new Set<string>();
    for (let c = 0; c < accepted.length; c += 250) {
      const probeRules = accepted.slice(c, c + 250).flatMap((p) => [`  ${expectedTree(p)} r,`, `  ${quotePath(p)} w,`]);
      // -O 0: the dump is written before the DFA is built; optimising it only costs time.
      const text = `abi <abi/3.0>,\nprofile probe {\n${probeRules.join('\n')}\n}\n`;
      const dump = compileProfile({text}, {extraArgs: ['-O', '0', '-D', 'rule-exprs']});
      assert.ok(dump.ok, dump.stderr.split('\n').filter((l) => !/^(aare|rule):|^$/u.test(l)).join('\n'));
      const lit = compiledLiterals(dump.stderr);
      for (const x of lit.exact) exact.add(x);
      for (const x of lit.tree) tree.add(x);
    }
    const ROOT_TREE = '/(|[^x00]*)'; // `/{,**}` compiles to /(|[^\x00]*), unescaped by compiledLiterals
    for (const p of accepted) {
      assert.ok(exact.has(p), `quotePath(${JSON.stringify(p)}) compiled to itself`);
      assert.ok(p === '/' ? exact.has(ROOT_TREE) : tree.has(p), `tree of ${JSON.stringify(p)} compiled to itself`);
    }
    const known = new Set([...accepted, 'probe', ROOT_TREE]);
    assert.equal([...exact, ...tree].filter((x) => !known.has(x)), [], 'no other path appeared');
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});

test.run();
