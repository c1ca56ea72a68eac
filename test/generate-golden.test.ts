/**
 * Golden fixtures: test/fixtures/generate/<case>/ holds compose input beside the reviewed
 * output in expected/ (regenerate with `node scripts/regen-golden.js`, then review the diff).
 * Every golden profile is compiled by the real apparmor_parser and every overlay is merged by
 * the real `docker compose config`.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {compileProfiles, listProfileNames} from '../src/host/apparmor.js';
import type {GenerateOptions} from '../src/core/generate.js';
import {build, copyElsewhere, listFiles, readTree} from './helpers/generate.js';
import {caseEnv, repoRoot, requireCompose, runCompose} from './helpers/compose-real.js';
import {requireTools} from './helpers/tools.js';
import {runSecilc} from '../src/host/selinux.js';
import {ensureSelinuxStore, SELINUX_STORE_TOOLS} from './helpers/selinux-store.js';

const base = path.join(repoRoot(), 'test/fixtures/generate');
const cases = readdirSync(base).sort();

test('there are golden cases', () => {
  assert.ok(cases.length >= 10, `only ${cases.length} cases`);
});

/** The flags of a case (args.json), as generate options. */
function caseOptions(dir: string): Partial<GenerateOptions> {
  const file = path.join(dir, 'args.json');
  const args: string[] = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).args ?? [] : [];
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  return {
    backend: (value('--backend') ?? 'apparmor') as GenerateOptions['backend'],
    ...(value('--level') ? {level: value('--level') as GenerateOptions['level']} : {}),
    selinuxRelabel: args.includes('--selinux-relabel'),
  };
}

for (const name of cases) {
  const dir = path.join(base, name);
  test(`golden ${name}: generated files equal expected/ byte for byte`, async () => {
    const res = await build(dir, {out: 'expected', ...caseOptions(dir)});
    const expected = readTree(path.join(dir, 'expected'));
    const got = new Map(res.artifacts.map((a) => [a.path, a.content]));
    assert.equal([...got.keys()].sort(), [...expected.keys()].sort(), 'file set');
    for (const [p, content] of got) assert.fixture(content, expected.get(p) ?? '', `${name}/expected/${p}`);
  });

  test(`golden ${name}: same bytes from another cwd and another absolute location`, async () => {
    const elsewhere = copyElsewhere(dir);
    const res = await build(elsewhere, {out: 'expected', ...caseOptions(dir)}, {PWD: '/'});
    const expected = readTree(path.join(dir, 'expected'));
    for (const a of res.artifacts) assert.is(a.content, expected.get(a.path), `${name}: ${a.path} differs when generated from ${elsewhere}`);
    for (const a of res.artifacts) assert.not.match(a.content, elsewhere, 'no absolute host path in output');
  });
}

test('golden: every profile compiles with the real apparmor_parser and defines exactly its own name', () => {
  if (!requireTools('golden compile', 'apparmor_parser')) return;
  const files = cases.flatMap((c) => {
    const d = path.join(base, c, 'expected/apparmor');
    return existsSync(d) ? listFiles(d).map((f) => path.join(d, f)) : [];
  });
  assert.ok(files.length >= 15, `only ${files.length} profiles`);
  const res = compileProfiles(files);
  const failed = res.results.filter((r) => !r.ok);
  assert.equal(failed.map((f) => `${f.file}: ${f.stderr}`), [], 'profiles that do not compile');
  for (const f of files) {
    const names = listProfileNames(f);
    assert.equal(names.names, [path.basename(f)], `${f} must define exactly one profile named after the file`);
  }
});

test('golden: every overlay merges with the user files in the real docker compose, keeping the user options', () => {
  if (!requireCompose('golden overlay merge')) return;
  for (const c of cases) {
    const dir = path.join(base, c);
    const userFiles = ['compose.yaml', 'compose.override.yaml'].filter((f) => existsSync(path.join(dir, f)));
    const flags = [...userFiles, 'expected/overlay.yml'].flatMap((f) => ['-f', f]);
    const user = runCompose(userFiles.flatMap((f) => ['-f', f]), ['config', '--format', 'json'], dir, caseEnv({}));
    const merged = runCompose(flags, ['config', '--format', 'json'], dir, caseEnv({}));
    assert.is(merged.status, 0, `${c}: docker compose rejected the overlay:\n${merged.stderr}`);
    const before = JSON.parse(user.stdout).services as Record<string, {security_opt?: string[]; cap_drop?: string[]}>;
    const after = JSON.parse(merged.stdout).services as Record<string, {security_opt?: string[]; cap_drop?: string[]}>;
    const lock = JSON.parse(readFileSync(path.join(dir, 'expected/lock.json'), 'utf8'));
    const profiles = new Set((lock.outputs as Array<{path: string}>).filter((o) => o.path.startsWith('apparmor/')).map((o) => o.path.slice('apparmor/'.length)));
    for (const [svc, s] of Object.entries(after)) {
      const opts = s.security_opt ?? [];
      for (const o of before[svc].security_opt ?? []) assert.ok(opts.includes(o), `${c}/${svc}: user option ${o} lost`);
      assert.is(new Set(opts).size, opts.length, `${c}/${svc}: repeated security_opt entry ${opts}`);
      const profile = [...profiles].find((p) => p.endsWith(`.${svc}`));
      const applied = opts.filter((o) => /^apparmor[=:]/.test(o));
      if (profile) assert.equal(applied, [`apparmor=${profile}`], `${c}/${svc}: profile applied exactly once`);
      else assert.ok(applied.length <= 1, `${c}/${svc}: left alone`);
      const modules = (lock.outputs as Array<{path: string}>).map((o) => o.path).filter((p) => p.startsWith('selinux/') && p.endsWith(`_${svc}.cil`));
      const labels = opts.filter((o) => /^label[=:]type:/.test(o));
      if (modules.length) assert.equal(labels, [`label=type:${path.basename(modules[0], '.cil')}.process`], `${c}/${svc}: label applied exactly once`);
    }
  }
});

test('golden: every SELinux case links with secilc against the real policy store, one run per case', () => {
  if (!requireTools('golden selinux link', ...SELINUX_STORE_TOOLS)) return;
  const store = ensureSelinuxStore();
  for (const c of cases) {
    const d = path.join(base, c, 'expected/selinux');
    if (!existsSync(d)) continue;
    const r = runSecilc([...store.cilFiles, ...listFiles(d).map((f) => path.join(d, f))]);
    assert.ok(r.ok, `${c}: ${r.message}`);
  }
});

test('golden: --selinux-relabel repeats whole project bind entries with :z and leaves host paths alone', () => {
  if (!requireCompose('golden relabel merge')) return;
  const dir = path.join(base, 'selinux-relabel');
  const merged = runCompose(['-f', 'compose.yaml', '-f', 'expected/overlay.yml'], ['config', '--format', 'json'], dir, caseEnv({}));
  assert.is(merged.status, 0, merged.stderr);
  const vols = (JSON.parse(merged.stdout).services.app.volumes as Array<{target: string; source: string; read_only?: boolean; bind?: {selinux?: string}}>).map((v) => [v.target, path.relative(dir, v.source), v.read_only ?? false, v.bind?.selinux ?? '']);
  assert.equal(vols.sort(), [
    ['/already', 'already', false, 'Z'],
    ['/data', 'data', false, 'z'],
    ['/etc/app', 'conf', true, 'z'],
    ['/shared', path.relative(dir, '/srv/shared'), false, ''],
  ]);
});

test.run();
