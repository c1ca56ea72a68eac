/** learn: audit records in every format → attributed, generalised allowances; round trip to a compiled profile. */
import {spawnSync} from 'node:child_process';
import {cpSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {runLearn} from '../src/core/learn.js';
import {compileProfile} from '../src/host/apparmor.js';
import {parseLine} from '../src/learn/records.js';
import {repoRoot} from './helpers/compose-real.js';
import {build} from './helpers/generate.js';
import {requireTools} from './helpers/tools.js';
import {ensureSelinuxStore, SELINUX_STORE_TOOLS} from './helpers/selinux-store.js';
import {loadProject} from '../src/compose/load.js';
import {selinuxRenderContext} from '../src/host/selinux.js';
import {linkSelinuxModules} from '../src/host/validate.js';
import {readAllowances} from '../src/learn/read.js';
import {planProject} from '../src/plan/plan.js';
import {renderSelinux} from '../src/render/selinux/index.js';
import {loadHints} from '../src/templates.js';

const fx = path.join(repoRoot(), 'test/fixtures/learn');
const LOGS = ['dmesg.log', 'kern.log', 'journal.log', 'audit.log', 'printk-avc.log'].map((f) => path.join(fx, f));

function learn(dir: string, over: Partial<Parameters<typeof runLearn>[0]> = {}) {
  return runLearn({load: {files: [], cwd: dir, env: {HOME: '/nonexistent'}, envFiles: [], profiles: []}, from: LOGS, write: false, allowSensitive: false, now: 1764864600_000, ...over});
}

test('records: AppArmor in printk, kern.log, journal and auditd forms; AVC in auditd and printk forms', () => {
  const lines = [
    readFileSync(LOGS[0], 'utf8').split('\n')[0],
    readFileSync(LOGS[1], 'utf8').split('\n')[0],
    readFileSync(LOGS[2], 'utf8').split('\n')[0],
    readFileSync(LOGS[3], 'utf8').split('\n')[0],
  ];
  const recs = lines.map((l, i) => parseLine(l, i + 1));
  assert.equal(recs.map((r) => (r.kind === 'record' && r.record.lsm === 'apparmor' ? [r.record.decision, r.record.operation, r.record.profile] : r.kind)), [
    ['DENIED', 'mknod', 'hardcompose.shop.api'],
    ['ALLOWED', 'open', 'hardcompose.shop.api'],
    ['DENIED', 'capable', 'hardcompose.shop.web'],
    ['DENIED', 'open', 'hardcompose.shop.api'],
  ]);
  const avc = parseLine(readFileSync(LOGS[3], 'utf8').split('\n')[1], 2);
  assert.ok(avc.kind === 'record' && avc.record.lsm === 'selinux');
  if (avc.kind === 'record' && avc.record.lsm === 'selinux') {
    assert.equal([avc.record.perms, avc.record.tclass, avc.record.port, avc.record.permissive, avc.record.time], [['name_bind'], 'tcp_socket', 8443, false, 1764864400.2]);
  }
  const printk = parseLine(readFileSync(LOGS[4], 'utf8').split('\n')[0], 1);
  assert.ok(printk.kind === 'record' && printk.record.lsm === 'selinux' && printk.record.permissive && printk.record.tclass === 'rawip_socket');
});

test('records: hex-encoded names are decoded, quoted ones are not; other lines and malformed ones are told apart', () => {
  const hex = parseLine('audit: apparmor="DENIED" operation="open" profile="p" name=2F6120622F63 requested_mask="r"', 1);
  assert.ok(hex.kind === 'record' && hex.record.lsm === 'apparmor' && hex.record.name === '/a b/c');
  const quoted = parseLine('audit: apparmor="DENIED" operation="open" profile="p" name="CAFE" requested_mask="r"', 1);
  assert.ok(quoted.kind === 'record' && quoted.record.lsm === 'apparmor' && quoted.record.name === 'CAFE');
  assert.is(parseLine('eth0: link up', 1).kind, 'other');
  assert.is(parseLine('audit: apparmor="STATUS" operation="profile_load" profile="unconfined" name="x"', 1).kind, 'other');
  assert.is(parseLine('audit: apparmor="DENIED" operation=', 1).kind, 'malformed');
  assert.is(parseLine('avc:  denied  { write } for pid=2', 1).kind, 'malformed');
});

test('learn: suggestions per service, generalised, with evidence; sensitive and unmapped ones are findings', async () => {
  const res = await learn(path.join(fx, 'project'));
  const s = res.suggestions.map((x) => `${x.service} ${x.category} ${x.value} ${x.evidence}`);
  assert.equal(s, [
    'api capabilities NET_ADMIN 2',
    'api exec /opt/tools/convert 1',
    'api read /srv/data/report.csv 1',
    'api read /var/lib/api/a file 1',
    'api write /var/cache/app 4',
    'web network raw 2',
    'web ports 8443/tcp 1',
  ]);
  const f = res.findings.map((x) => `${x.service} ${x.code}`);
  assert.equal(f, ['api selinux-file', 'api sensitive', 'web mount', 'web ptrace', 'web sensitive']);
  assert.match(res.findings.find((x) => x.service === 'api' && x.code === 'sensitive')!.message, '/etc/shadow');
  assert.match(res.findings.find((x) => x.service === 'web' && x.code === 'sensitive')!.message, 'SYS_ADMIN');
  // dmesg 11 records + kern.log 2 + journal 2 + audit.log 5 + printk 1 = 21; docker-default, othershop, snap.lxd and init_t are not ours.
  assert.equal(res.counts, {lines: 27, records: 21, attributed: 17, ignored: 4, malformed: 3, beforeSince: 0});
  for (const x of res.suggestions) assert.ok(x.examples.length >= 1 && x.examples.every((e) => e.includes('hardcompose.shop') || e.includes('hardcompose_shop')), 'log lines as evidence');
});

test('learn: --allow-sensitive proposes them; --since drops older records', async () => {
  const all = await learn(path.join(fx, 'project'), {allowSensitive: true});
  assert.ok(all.suggestions.some((x) => x.service === 'api' && x.category === 'read' && x.value === '/etc/shadow'));
  assert.ok(all.suggestions.some((x) => x.service === 'web' && x.category === 'capabilities' && x.value === 'SYS_ADMIN'));
  const recent = await learn(path.join(fx, 'project'), {since: '1764864400'});
  assert.is(recent.counts.beforeSince, 15, "dmesg 11 + kern.log 2 + journal 2 records predate it");
  assert.ok(!recent.suggestions.some((x) => x.value === '/opt/tools/convert'));
});

test('learn round trip: --write → hardcompose.allow.yml → generate → the profile allows it, compiled; rerun adds nothing', async () => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'hc-learn-')), 'shop');
  cpSync(path.join(fx, 'project'), dir, {recursive: true});
  const first = await learn(dir, {write: true});
  assert.is(first.written?.added.length, 7);
  const text = readFileSync(path.join(dir, 'hardcompose.allow.yml'), 'utf8');
  assert.match(text, 'value: /var/cache/app');
  assert.not.match(text, '/etc/shadow');
  const again = await learn(dir, {write: true});
  assert.equal(again.written?.added, []);
  assert.is(readFileSync(path.join(dir, 'hardcompose.allow.yml'), 'utf8'), text, 'same log twice: same file');
  const res = await build(dir);
  const api = res.artifacts.find((a) => a.path === 'apparmor/hardcompose.shop.api')!.content;
  assert.match(api, /"\/var\/cache\/app\{,\/\*\*\}" rwk, +# hardcompose\.allow\.yml: services\.api\.write\[0\]/);
  assert.match(api, /capability net_admin, +# hardcompose\.allow\.yml: services\.api\.capabilities\[0\]/);
  assert.match(api, /"\/opt\/tools\/convert\{,\/\*\*\}" [a-z]*x/);
  const web = res.artifacts.find((a) => a.path === 'apparmor/hardcompose.shop.web')!.content;
  assert.match(web, /network inet raw,/);
  assert.not.match(web, /deny network inet raw/);
  const lock = JSON.parse(res.artifacts.find((a) => a.path === 'lock.json')!.content);
  assert.ok(lock.inputs.some((i: {path: string}) => i.path === 'hardcompose.allow.yml'));
  if (requireTools('learn round trip compile', 'apparmor_parser')) {
    for (const text of [api, web]) {
      const r = compileProfile({text});
      assert.ok(r.ok, r.stderr);
    }
  }
});

test('learn CLI: --json prints one document; a missing log is exit 2 with a hint', () => {
  const bin = path.join(repoRoot(), 'bin/run.js');
  const ok = spawnSync(process.execPath, [bin, 'learn', '--from', LOGS[0], '--json'], {cwd: path.join(fx, 'project'), encoding: 'utf8'});
  assert.is(ok.status, 0, ok.stderr);
  assert.is(JSON.parse(ok.stdout).project, 'shop');
  const bad = spawnSync(process.execPath, [bin, 'learn', '--from', 'nope.log'], {cwd: path.join(fx, 'project'), encoding: 'utf8'});
  assert.is(bad.status, 2);
  assert.match(bad.stderr, 'nope.log');
  assert.match(bad.stderr, 'hint:');
  assert.not.match(bad.stderr, /\n\s+at /);
});

test('learn on a real lab capture (enforce mode, attacks denied): everything parses, attacks stay findings, nothing is proposed', async () => {
  const root = repoRoot();
  const res = await runLearn({
    load: {files: [path.join(root, 'lab/stacks/baseline/compose.yaml')], cwd: root, env: {HOME: '/nonexistent'}, envFiles: [], profiles: []},
    from: [path.join(root, 'lab/captures/apparmor.log')],
    write: false,
    allowSensitive: false,
    now: Date.now(),
  });
  assert.is(res.project, 'labbase');
  assert.is(res.counts.malformed, 0, JSON.stringify(res.malformed));
  assert.ok(res.counts.attributed > 0 && res.counts.ignored > 0, JSON.stringify(res.counts));
  assert.equal(res.suggestions, [], 'the probes are attacks: learn must not propose to allow them');
  assert.ok(res.findings.some((f) => f.service === 'monitor' && f.code === 'ptrace'));
  assert.is(parseLine('[    0.000000] Command line: console=ttyS0 root=/dev/vda rw apparmor=1 security=apparmor', 1).kind, 'other');
});

test('learn: an exec from a path the service can write is a finding, not a proposal (write xor execute)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hc-learn-wx-'));
  const rec = (n: number, name: string, mask: string, op = 'exec') =>
    `[  900.${String(n).padStart(6, '0')}] audit: type=1400 audit(1764864100.${n}:${n}): apparmor="DENIED" operation="${op}" profile="hardcompose.shop.api" name="${name}" pid=1 comm="sh" requested_mask="${mask}" denied_mask="${mask}" fsuid=0 ouid=0`;
  const log = path.join(dir, 'wx.log');
  writeFileSync(log, `${[
    rec(1, '/tmp/payload', 'x'), // strict scratch
    rec(2, '/var/cache/api/tool', 'x'), // the service's named volume
    rec(3, '/srv/plugins/a.so', 'wc', 'open'), // proposed as a write in this same batch...
    rec(4, '/srv/plugins/a.so', 'm', 'file_mmap'), // ...so mapping it executable is a dropper
    rec(5, '/opt/vendor/bin/helper', 'x'), // in the image, not writable: a plain proposal
  ].join('\n')}\n`);
  const res = await learn(path.join(fx, 'project'), {from: [log]});
  assert.equal(res.suggestions.map((s) => [s.category, s.value]), [['write', '/srv/plugins/a.so'], ['exec', '/opt/vendor/bin/helper']].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  const wx = res.findings.filter((f) => f.code === 'sensitive').map((f) => f.message);
  for (const [p, w] of [['/tmp/payload', '/tmp'], ['/var/cache/api/tool', '/var/cache/api'], ['/srv/plugins/a.so', '/srv/plugins/a.so']]) {
    assert.ok(wx.some((m) => m.startsWith(`exec ${p} is sensitive`) && m.includes(`can write ${w}:`)), `${p}: ${JSON.stringify(wx)}`);
  }
  const forced = await learn(path.join(fx, 'project'), {from: [log], allowSensitive: true});
  assert.equal(forced.suggestions.filter((s) => s.category === 'exec').map((s) => s.value).sort(), ['/opt/vendor/bin/helper', '/srv/plugins/a.so', '/tmp/payload', '/var/cache/api/tool']);
});

test('learn on the lab capture of a complain-mode run (lab/learn): the cache is proposed, the attacks are findings; --write → generate → compiled', async () => {
  const root = repoRoot();
  const log = path.join(root, 'lab/captures/learn-complain.log');
  const text = readFileSync(log, 'utf8');
  assert.ok(text.includes('apparmor="ALLOWED"'), 'a complain-mode capture logs ALLOWED records');
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'hc-learn-lab-')), 'learn');
  cpSync(path.join(root, 'lab/learn'), dir, {recursive: true});
  const bin = path.join(root, 'bin/run.js');
  const gen = spawnSync(process.execPath, [bin, 'generate'], {cwd: dir, encoding: 'utf8'});
  assert.is(gen.status, 0, gen.stderr);
  const res = await learn(dir, {from: [log], write: true, now: Date.now()});
  assert.is(res.project, 'lablearn');
  assert.is(res.counts.malformed, 0, JSON.stringify(res.malformed));
  assert.ok(res.counts.ignored >= 1, 'the lab\'s other profiles (docker-default) are counted, not attributed');
  assert.equal(res.suggestions.map((s) => [s.service, s.category, s.value]), [['app', 'write', '/var/cache/app']]);
  // the application wrote 12 cache entries: each a create and a write, all in one allowance
  assert.ok(res.suggestions[0].evidence >= 24, String(res.suggestions[0].evidence));
  const msgs = res.findings.map((f) => `${f.code}: ${f.message}`);
  assert.ok(msgs.some((m) => m.startsWith('sensitive: write /etc/shadow is sensitive (password hashes)')), JSON.stringify(msgs));
  assert.ok(msgs.some((m) => m.startsWith('sensitive: exec /tmp/lab-dropped/echo is sensitive (the service can write /tmp')), JSON.stringify(msgs));
  assert.not.ok(msgs.some((m) => m.includes('write /etc ')), 'a created sensitive file is named, not its folder');
  assert.equal(res.written?.added, [{service: 'app', category: 'write', value: '/var/cache/app'}]);
  // the reviewer sees the learned allowance as an ordinary rule with its provenance
  const diff = spawnSync(process.execPath, [bin, 'diff', '--exit-code'], {cwd: dir, encoding: 'utf8'});
  assert.is(diff.status, 1, diff.stderr);
  assert.match(diff.stdout, 'project: + input hardcompose.allow.yml');
  assert.match(diff.stdout, /app: \+ write \/var\/cache\/app \(hardcompose\.allow\.yml: services\.app\.write\[0\] learned write \/var\/cache\/app \(\d+ log records\)\)/);
  const built = await build(dir);
  const profile = built.artifacts.find((a) => a.path === 'apparmor/hardcompose.lablearn.app')!.content;
  assert.match(profile, /"\/var\/cache\/app\{,\/\*\*\}" rwkl, +# hardcompose\.allow\.yml: services\.app\.write\[0\]/);
  assert.match(profile, /audit deny "\/var\/cache\/app\{,\/\*\*\}" mx,/, 'a learned write path is not executable');
  assert.not.match(profile, /shadow/);
  if (requireTools('learn lab capture compile', 'apparmor_parser')) {
    const r = compileProfile({text: profile});
    assert.ok(r.ok, r.stderr);
  }
});

test('learn round trip under SELinux: AVCs → hardcompose.allow.yml → generate --backend selinux → the modules allow it and link with the real policy', async () => {
  if (!requireTools('learn selinux round trip', ...SELINUX_STORE_TOOLS, 'matchpathcon', 'semanage')) return;
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'hc-learn-se-')), 'shop');
  cpSync(path.join(fx, 'project'), dir, {recursive: true});
  await learn(dir, {write: true});
  const project = loadProject({files: [], cwd: dir, env: {HOME: '/nonexistent'}, envFiles: [], profiles: []});
  const allowances = (await readAllowances(dir)).file;
  const plan = planProject(project, {backend: 'selinux', toolVersion: '0.1.0', hints: loadHints(), allowances});
  const artifacts = renderSelinux(plan, selinuxRenderContext(plan));
  const web = artifacts.find((a) => a.path === 'selinux/hardcompose_shop_web.cil')!.content;
  const api = artifacts.find((a) => a.path === 'selinux/hardcompose_shop_api.cil')!.content;
  // the AVC of name_bind on 8443 (auditd), of a raw socket (printk) and of net_admin become rules
  assert.match(web, /\(allow process \w+ \(tcp_socket \(name_bind\)\)\) ; hardcompose\.allow\.yml: services\.web\.ports\[0\] 8443\/tcp/);
  assert.match(web, /\(rawip_socket [^;]*; hardcompose\.allow\.yml: services\.web\.network\[0\]/);
  assert.match(api, /\(allow process self \(capability \(net_admin\)\)\) ; hardcompose\.allow\.yml: services\.api\.capabilities\[0\]/);
  const out = mkdtempSync(path.join(os.tmpdir(), 'hc-learn-se-out-'));
  const files = artifacts.filter((a) => a.path.endsWith('.cil')).map((a) => {
    const f = path.join(out, path.basename(a.path));
    writeFileSync(f, a.content);
    return f;
  });
  const r = await linkSelinuxModules({files, root: ensureSelinuxStore().root});
  assert.is(r.status, 'ok', JSON.stringify(r));
});

test.run();
