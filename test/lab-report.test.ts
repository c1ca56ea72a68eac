/**
 * The enforcement lab without a guest: the probe suite's definitions (lab/probes.js) keep the
 * coverage issue #7 asks for and stay valid shell, the outcome and verdict rules hold, and the
 * report printer (lab/report.js) reads a report captured from a real run (lab/captures/). The
 * evidence itself comes from `npm run lab`; this only keeps its definitions from rotting.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {suite} from 'uvu';
import * as assert from 'uvu/assert';

interface Probe {
  id: string;
  threat: string;
  expect: string;
  applies: string | string[];
  kind: string;
  title: string;
  script?: string;
  check?: string;
}
interface ProbesModule {
  THREATS: string[];
  POLICIES: string[];
  CONDITIONS: string[];
  PROBES: Probe[];
  applicableProbes(facts: Record<string, unknown>): Probe[];
  classify(status: number | null, output: string): {outcome: string; errno: string};
  verdict(expect: string, profiles: Record<string, string>): string;
}

const root = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const lab = (await import(new URL('../../lab/probes.js', import.meta.url).href)) as ProbesModule;

const defs = suite('lab probe definitions');

defs('at least 15 attack probes and 5 functional ones, across every threat class', () => {
  const attacks = lab.PROBES.filter((p) => p.threat !== 'function');
  const functional = lab.PROBES.filter((p) => p.threat === 'function');
  assert.ok(attacks.length >= 15, `${attacks.length} attack probes`);
  assert.ok(functional.length >= 5, `${functional.length} functional probes`);
  for (const t of ['escape', 'lateral', 'data', 'function']) {
    assert.ok(lab.PROBES.some((p) => p.threat === t), `a probe for threat ${t}`);
  }
});

defs('each probe is well formed: unique id, known threat and condition, expect matches the threat', () => {
  const ids = new Set<string>();
  for (const p of lab.PROBES) {
    assert.ok(/^[a-z0-9-]+$/.test(p.id), p.id);
    assert.not.ok(ids.has(p.id), `duplicate ${p.id}`);
    ids.add(p.id);
    assert.ok(lab.THREATS.includes(p.threat), `${p.id}: threat ${p.threat}`);
    for (const c of Array.isArray(p.applies) ? p.applies : [p.applies]) assert.ok(lab.CONDITIONS.includes(c), `${p.id}: applies ${c}`);
    assert.is(p.expect, p.threat === 'function' ? 'allow' : 'deny', p.id);
    assert.ok(p.title.length > 10, `${p.id}: title`);
    if (p.kind === 'exec') assert.ok(p.script && p.script.trim().length > 0, `${p.id}: script`);
    else {
      assert.is(p.kind, 'host', p.id);
      assert.ok(['serve', 'command', 'restart'].includes(p.check ?? ''), `${p.id}: check`);
    }
  }
});

defs('the attacks the issue names are all there', () => {
  const ids = lab.PROBES.map((p) => p.id);
  for (const id of [
    'sysrq-trigger-write', 'core-pattern-write', 'mount-tmpfs', 'cgroup-release-agent', 'sys-kernel-write', 'kcore-read',
    'raw-socket', 'packet-socket', 'write-image-etc', 'exec-dropped-tmp', 'exec-dropped-volume', 'host-environ-read', 'peer-mem-read',
    'serve-port', 'read-ro-mount', 'write-volume', 'write-tmpfs', 'run-command',
  ]) assert.ok(ids.includes(id), id);
});

defs('every exec script is valid shell (sh -n)', () => {
  const shell = spawnSync('busybox', ['true']).status === 0 ? ['busybox', 'sh'] : ['sh'];
  for (const p of lab.PROBES.filter((x) => x.kind === 'exec')) {
    const r = spawnSync(shell[0], [...shell.slice(1), '-n'], {input: p.script, encoding: 'utf8'});
    assert.is(r.status, 0, `${p.id}: ${r.stderr}`);
  }
});

defs('probes apply by facts: strict-only, SYS_ADMIN-only, pid: host-only', () => {
  const none = {level: 'baseline', sysAdmin: false, privileged: false, noRaw: false, pidHost: false, roMount: false, roAny: false, rwVolume: false, tmpfs: false, port: false, peer: false};
  const base = lab.applicableProbes(none).map((p) => p.id);
  assert.ok(base.includes('sysrq-trigger-write'));
  assert.not.ok(base.includes('exec-dropped-tmp'));
  assert.not.ok(base.includes('mount-tmpfs'));
  assert.not.ok(base.includes('raw-socket'));
  const strict = lab.applicableProbes({...none, level: 'strict'}).map((p) => p.id);
  assert.ok(strict.includes('exec-dropped-tmp') && strict.includes('write-image-etc'));
  assert.not.ok(strict.includes('exec-dropped-volume'), 'nothing writable to drop into');
  assert.ok(lab.applicableProbes({...none, level: 'strict', tmpfs: true}).some((p) => p.id === 'exec-dropped-volume'));
  const admin = lab.applicableProbes({...none, sysAdmin: true}).map((p) => p.id);
  assert.ok(admin.includes('mount-tmpfs') && admin.includes('cgroup-release-agent'));
  const pid = lab.applicableProbes({...none, pidHost: true}).map((p) => p.id);
  assert.ok(pid.includes('peer-environ-read') && pid.includes('list-host-processes'));
});

defs.run();

const rules = suite('lab outcome and verdict rules');

rules('outcome comes from the exit status and the errno text', () => {
  const cases: [number | null, string, string, string][] = [
    [0, '', 'allowed', 'ok'],
    [1, "sh: can't create /proc/sysrq-trigger: Permission denied", 'denied', 'EACCES'],
    [1, 'mount: permission denied (are you root?)', 'denied', 'EACCES'],
    [1, 'umount: Operation not permitted', 'denied', 'EPERM'],
    [1, "sh: can't create /proc/sys/kernel/core_pattern: Read-only file system", 'denied', 'EROFS'],
    [1, 'masked: /proc/kcore read 0 bytes', 'denied', 'masked'],
    [1, 'cat: /proc/123/environ: No such file or directory', 'error', 'other'],
    [124, '', 'error', 'timeout'],
    [null, '', 'error', 'timeout'],
  ];
  for (const [status, out, outcome, errno] of cases) assert.equal(lab.classify(status, out), {outcome, errno}, out);
});

rules('verdicts: attacks by the hardcompose column; a function failing unconfined too is inconclusive', () => {
  assert.is(lab.verdict('deny', {hardcompose: 'denied', unconfined: 'allowed'}), 'ok');
  assert.is(lab.verdict('deny', {hardcompose: 'allowed', unconfined: 'allowed'}), 'FAIL');
  assert.is(lab.verdict('deny', {hardcompose: 'error', unconfined: 'allowed'}), 'inconclusive');
  assert.is(lab.verdict('allow', {hardcompose: 'allowed', unconfined: 'allowed'}), 'ok');
  assert.is(lab.verdict('allow', {hardcompose: 'denied', unconfined: 'allowed'}), 'FAIL');
  assert.is(lab.verdict('allow', {hardcompose: 'denied', unconfined: 'denied'}), 'inconclusive');
});

rules.run();

const capture = suite('lab report captured from a real run');
const captured = root('lab/captures/report.json');

capture('has the fields the issue asks for, with outcomes from the kernel', () => {
  if (!existsSync(captured)) {
    console.log('  SKIP: no lab/captures/report.json (run npm run lab -- --capture lab/captures)');
    return;
  }
  const report = JSON.parse(readFileSync(captured, 'utf8'));
  assert.type(report.kernel, 'string');
  assert.ok(report.results.length > 0);
  const known = new Set(lab.PROBES.map((p) => p.id));
  for (const r of report.results) {
    for (const k of ['example', 'service', 'probe', 'threat', 'expect']) assert.type(r[k], 'string', k);
    assert.ok(known.has(r.probe), `captured probe ${r.probe} is defined`);
    for (const p of ['hardcompose', 'docker-default', 'unconfined']) {
      assert.ok(['allowed', 'denied', 'error', 'not run'].includes(r.profiles[p]), `${r.probe} ${p}: ${r.profiles[p]}`);
    }
  }
  assert.type(report.overhead?.percent, 'number');
});

capture('lab/report.js prints the table and judges it', () => {
  if (!existsSync(captured)) return;
  const r = spawnSync(process.execPath, [root('lab/report.js'), captured], {encoding: 'utf8'});
  assert.ok([0, 1].includes(r.status ?? -1), r.stdout + r.stderr);
  assert.match(r.stdout, /Enforcement lab: kernel /);
  assert.match(r.stdout, /attack probes denied by hardcompose: +\d+\/\d+/);
  assert.match(r.stdout, /cost of confinement/);
});

capture.run();
