/**
 * `hardcompose doctor` on this host: the report matches what the host really has (kernel, /sys,
 * docker info, docker compose version), finds stale outputs without writing anything, and keeps
 * working without a project, with a broken one, or with an engine that does not answer.
 */
import {readFileSync, statSync, writeFileSync, mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {cleanEnv, hc, hostHasAppArmor, makeProject, requireEngine} from './helpers/e2e.js';
import {doctorText, type DoctorReport} from '../src/core/doctor.js';

function json(r: {status: number | null; stdout: string; stderr: string}): DoctorReport {
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as DoctorReport;
}

function apparmorParam(): string {
  try {
    return readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y' ? 'enabled' : 'disabled';
  } catch {
    return 'absent';
  }
}

test('doctor --json in a generated project: host facts as the host has them, outputs current, policies and what up would do', () => {
  if (!requireEngine('doctor project')) return;
  const p = makeProject('web', {PORT: 1});
  assert.is(hc(['generate'], p.dir).status, 0);
  const r = json(hc(['doctor', '--json'], p.dir));
  assert.is(r.kernel.release, os.release());
  assert.is(r.apparmor.kernel, apparmorParam());
  assert.is(r.user.root, process.getuid?.() === 0);
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {encoding: 'utf8'});
  assert.is(r.docker.engine, info.stdout.trim());
  assert.is(r.docker.error, null);
  const version = spawnSync('docker', ['compose', 'version', '--short'], {encoding: 'utf8'});
  assert.is(r.compose.found, true);
  assert.is(r.compose.how, 'plugin');
  assert.is(r.compose.version, version.stdout.trim());
  const proj = r.project;
  assert.ok(proj && !('error' in proj), JSON.stringify(proj));
  if (!proj || 'error' in proj) return;
  assert.is(proj.name, p.name);
  assert.is(proj.backend, 'apparmor');
  assert.is(proj.outputs.current, true);
  assert.equal(proj.policies.map((x) => x.name), [`hardcompose.${p.name}.web`, `hardcompose.${p.name}.worker`]);
  if (!hostHasAppArmor()) {
    assert.equal(proj.policies.map((x) => x.loaded), [false, false], 'nothing can be loaded without AppArmor');
    assert.is(proj.verdict.active, false);
    assert.match(proj.up, /refuse to start \(exit 1\)/);
  }
});

test('doctor: stale outputs listed, nothing written; the text report has every section', () => {
  if (!requireEngine('doctor stale')) return;
  const p = makeProject('web', {PORT: 1});
  assert.is(hc(['generate'], p.dir).status, 0);
  const file = path.join(p.dir, 'compose.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('    stop_grace_period: 1s\n  worker:', '    stop_grace_period: 1s\n    cap_add: [SYS_PTRACE]\n  worker:'));
  const profile = path.join(p.dir, `hardcompose/apparmor/hardcompose.${p.name}.web`);
  const before = statSync(profile).mtimeMs;
  const r = json(hc(['doctor', '--json'], p.dir));
  const proj = r.project;
  assert.ok(proj && !('error' in proj));
  if (!proj || 'error' in proj) return;
  assert.is(proj.outputs.current, false);
  assert.ok(proj.outputs.changed.includes(`apparmor/hardcompose.${p.name}.web`), JSON.stringify(proj.outputs));
  assert.ok(proj.outputs.changed.includes('lock.json'));
  // SYS_PTRACE is a finding, written above the service in the overlay.
  assert.ok(proj.outputs.changed.includes('overlay.yml'));
  assert.is(statSync(profile).mtimeMs, before, 'doctor writes nothing');

  const text = hc(['doctor'], p.dir);
  assert.is(text.status, 0);
  for (const section of ['Kernel', 'AppArmor', 'SELinux', 'Docker', 'Compose', 'User', `Project ${p.name}`]) {
    assert.match(text.stdout, new RegExp(`^${section}$`, 'm'), section);
  }
  assert.match(text.stdout, /outputs\s+\S+: stale: 3 would change/);
  assert.match(text.stdout, /hardcompose up\s+would /);
  assert.match(text.stdout, /found\s+docker compose plugin/);
});

test('doctor outside a project and with a broken compose file: still a report, exit 0', () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'hc-doctor-none-'));
  const none = json(hc(['doctor', '--json'], empty));
  assert.is(none.project, null);
  assert.match(hc(['doctor'], empty).stdout, /none found here/);

  const broken = mkdtempSync(path.join(os.tmpdir(), 'hc-doctor-bad-'));
  writeFileSync(path.join(broken, 'compose.yaml'), 'services:\n  web:\n    image: [unclosed\n');
  const bad = json(hc(['doctor', '--json'], broken));
  assert.ok(bad.project && 'error' in bad.project, JSON.stringify(bad.project));
});

test('doctor with an engine that does not answer: says so, still reports Compose, exit 0', () => {
  if (!requireEngine('doctor engine down')) return;
  const sock = path.join(mkdtempSync(path.join(os.tmpdir(), 'hc-nosock-')), 'docker.sock');
  const r = json(hc(['doctor', '--json'], os.tmpdir(), {env: cleanEnv({DOCKER_HOST: `unix://${sock}`})}));
  assert.is(r.docker.engine, null);
  assert.match(r.docker.error ?? '', /Cannot connect|no such file/i);
  assert.ok(r.docker.client, 'the client version is still known');
  assert.is(r.compose.found, true);
});

test('doctorText: an inactive backend shows what was found and the fixes', () => {
  const report: DoctorReport = {
    kernel: {release: '6.1.0', lsms: ['lockdown', 'capability', 'landlock']},
    apparmor: {kernel: 'absent', securityfs: false, parser: '3.0.8', loadedProfiles: null},
    selinux: {enabled: false, enforcing: false, semodule: false},
    user: {root: false},
    docker: {client: '28.2.2', engine: '20.10.24', securityOptions: ['name=seccomp,profile=default'], error: null},
    compose: {found: true, how: 'standalone', path: '/usr/bin/docker-compose', version: '2.26.1', error: null},
    project: {
      name: 'shop',
      workingDir: '/srv/shop',
      outDir: '/srv/shop/hardcompose',
      backend: 'apparmor',
      backendFrom: 'host',
      outputs: {current: false, changed: [], added: ['overlay.yml'], removed: [], editedByHand: []},
      policies: [{name: 'hardcompose.shop.api', file: '/srv/shop/hardcompose/apparmor/hardcompose.shop.api', loaded: false}],
      verdict: {backend: 'apparmor', active: false, found: ['/sys/module/apparmor/parameters/enabled is missing: the kernel has no AppArmor'], fixes: ['boot with apparmor=1', 'or pass --allow-unconfined']},
      up: 'refuse to start (exit 1)',
    },
  };
  const text = doctorText(report);
  assert.match(text, /LSMs\s+lockdown, capability, landlock/);
  assert.match(text, /found\s+docker-compose v2 \(\/usr\/bin\/docker-compose\)/);
  assert.match(text, /root\s+no \(load and unload need root\)/);
  assert.match(text, /outputs\s+\/srv\/shop\/hardcompose: stale: 1 missing/);
  assert.match(text, /profile\s+hardcompose\.shop\.api: not loaded/);
  assert.match(text, /confinement\s+NOT ACTIVE: Docker would start the containers unconfined/);
  assert.match(text, /fix\s+boot with apparmor=1\n\s+or pass --allow-unconfined/);
});

test.run();
