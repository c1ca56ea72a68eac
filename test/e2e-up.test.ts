/**
 * `hardcompose up` and friends against the real Docker engine (started by `npm test`), on this
 * AppArmor-less kernel: refused with nothing started; with --allow-unconfined the stack starts
 * with each container's `apparmor=hardcompose.<project>.<service>`, the published port answers,
 * `run … exit 7` returns 7, `ps`/`exec`/`logs` find the project through the overlay, `down`
 * removes everything, `--frozen` fails on a stale project, and `config --with-overlay` equals
 * what Compose itself merges.
 */
import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {cleanup, containers, docker, freePort, hc, hostHasAppArmor, httpGet, makeProject, networks, requireEngine, waitFor, type Project} from './helpers/e2e.js';

const UNCONFINED = '--allow-unconfined';

async function withProject(name: string, fn: (p: Project, port: number) => Promise<void> | void): Promise<void> {
  if (!requireEngine(name)) return;
  const port = await freePort();
  const p = makeProject('web', {PORT: port});
  try {
    await fn(p, port);
  } finally {
    cleanup(p);
  }
}

test('up -d on a kernel without AppArmor: refused (exit 1), says Docker would run it unconfined and how to fix it, nothing started', () =>
  withProject('e2e refuse', (p) => {
    if (hostHasAppArmor()) {
      console.log('  SKIP e2e refuse: this host runs AppArmor, so up is not refused');
      return;
    }
    const r = hc(['up', '-d'], p.dir);
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`refusing to start project ${p.name}: Docker would start its containers UNCONFINED`));
    assert.match(r.stderr, /backend is apparmor/);
    assert.match(r.stderr, /\/sys\/module\/apparmor\/parameters\/enabled is missing: the kernel has no AppArmor/);
    assert.match(r.stderr, /apparmor=1 security=apparmor/);
    assert.match(r.stderr, /--backend selinux/);
    assert.match(r.stderr, /--allow-unconfined/);
    assert.match(r.stderr, /Nothing was started/);
    assert.equal(containers(p.name), [], 'no container created');
    assert.equal(networks(p.name), [], 'no network created');
    // the outputs were made current before the check
    const lock = JSON.parse(readFileSync(path.join(p.dir, 'hardcompose/lock.json'), 'utf8'));
    assert.is(lock.project, p.name);
  }));

test('up -d --allow-unconfined: loud warning, the stack runs, each container carries its profile, the port answers; run returns 7; ps, exec and logs find it; down removes everything', () =>
  withProject('e2e up', async (p, port) => {
    const up = hc(['up', '-d', UNCONFINED], p.dir);
    assert.is(up.status, 0, up.stderr);
    assert.match(up.stderr, /WARNING: --allow-unconfined: the containers of project \S+ start UNCONFINED/);
    assert.match(up.stderr, /not loading the apparmor policies/);

    const ids = containers(p.name, true);
    assert.is(ids.length, 2, `running containers: ${ids}`);
    for (const id of ids) {
      const inspected = JSON.parse(docker(['inspect', id]).stdout)[0];
      const service = inspected.Config.Labels['com.docker.compose.service'];
      assert.equal(inspected.HostConfig.SecurityOpt, [`apparmor=hardcompose.${p.name}.${service}`], `${service}: security_opt`);
    }

    assert.ok(await waitFor(() => docker(['logs', `${p.name}-web-1`]).status === 0, 10_000));
    let got: {status: number; body: string} | undefined;
    for (let i = 0; i < 50 && !got; i++) {
      try {
        got = await httpGet(port);
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    assert.ok(got, `nothing answered on 127.0.0.1:${port}`);
    assert.is(got!.status, 200);
    assert.is(got!.body.trim(), 'hello-hardcompose');

    // The example: -p before the service is hardcompose's, the rest is the container's.
    const run = hc(['run', UNCONFINED, '-p', p.name, '--rm', 'worker', 'sh', '-c', 'exit 7'], p.dir);
    assert.is(run.status, 7, run.stderr);
    // After the service, -p and --frozen belong to the container's command (echo's arguments).
    const run2 = hc(['run', UNCONFINED, '--rm', '-T', 'worker', 'echo', '-p', '--frozen'], p.dir);
    assert.is(run2.status, 0, run2.stderr);
    assert.is(run2.stdout.trim(), '-p --frozen');

    const ps = hc(['ps', '--format', 'json'], p.dir);
    assert.is(ps.status, 0, ps.stderr);
    assert.match(ps.stdout, new RegExp(`${p.name}-web-1`));
    assert.match(ps.stdout, new RegExp(`${p.name}-worker-1`));

    const exec = hc(['exec', '-T', 'web', 'cat', '/tmp/index.html'], p.dir);
    assert.is(exec.status, 0, exec.stderr);
    assert.is(exec.stdout.trim(), 'hello-hardcompose');
    const execCode = hc(['exec', '-T', 'web', 'sh', '-c', 'exit 5'], p.dir);
    assert.is(execCode.status, 5);

    const logs = hc(['logs', '--no-log-prefix', 'web'], p.dir);
    assert.is(logs.status, 0, logs.stderr);

    const down = hc(['down'], p.dir);
    assert.is(down.status, 0, down.stderr);
    assert.equal(containers(p.name), [], 'containers removed');
    assert.equal(networks(p.name), [], 'network removed');
  }));

test('up with nothing changed writes nothing; a changed compose file is regenerated before starting; --frozen fails on it instead, nothing started', () =>
  withProject('e2e frozen', (p) => {
    const first = hc(['up', '-d', UNCONFINED], p.dir);
    assert.is(first.status, 0, first.stderr);
    assert.match(first.stderr, /regenerated hardcompose\/ \(4 written\)/);
    const profile = path.join(p.dir, `hardcompose/apparmor/hardcompose.${p.name}.web`);
    const mtime = statSync(profile).mtimeMs;

    const again = hc(['up', '-d', UNCONFINED], p.dir);
    assert.is(again.status, 0, again.stderr);
    assert.not.match(again.stderr, /regenerated/);
    assert.is(statSync(profile).mtimeMs, mtime, 'nothing rewritten');
    assert.is(hc(['down', '-t', '1'], p.dir).status, 0);

    // A new capability changes the web profile: the outputs are stale.
    const file = path.join(p.dir, 'compose.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    stop_grace_period: 1s\n  worker:', '    stop_grace_period: 1s\n    cap_add: [SYS_PTRACE]\n  worker:'));
    const before = readFileSync(profile, 'utf8');
    const frozen = hc(['up', '-d', '--frozen', UNCONFINED], p.dir);
    assert.is(frozen.status, 1, frozen.stderr);
    assert.match(frozen.stderr, /are stale \(--frozen\)/);
    assert.match(frozen.stderr, new RegExp(`would change  hardcompose/apparmor/hardcompose\\.${p.name}\\.web`));
    assert.is(readFileSync(profile, 'utf8'), before, '--frozen writes nothing');
    assert.equal(containers(p.name), [], '--frozen starts nothing');

    const regen = hc(['up', '-d', UNCONFINED], p.dir);
    assert.is(regen.status, 0, regen.stderr);
    assert.match(regen.stderr, /regenerated hardcompose\//);
    assert.match(readFileSync(profile, 'utf8'), /capability sys_ptrace/);
  }));

test('up refuses to overwrite a generated file edited by hand (exit 1), nothing started', () =>
  withProject('e2e hand edit', (p) => {
    assert.is(hc(['generate'], p.dir).status, 0);
    const profile = path.join(p.dir, `hardcompose/apparmor/hardcompose.${p.name}.web`);
    writeFileSync(profile, `${readFileSync(profile, 'utf8')}# my edit\n`);
    const file = path.join(p.dir, 'compose.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    stop_grace_period: 1s\n  worker:', '    stop_grace_period: 1s\n    cap_add: [SYS_PTRACE]\n  worker:'));
    const r = hc(['up', '-d', UNCONFINED], p.dir);
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /refusing to overwrite 1 generated file\(s\) edited by hand/);
    assert.equal(containers(p.name), []);
  }));

test('config --with-overlay equals the model docker compose merges from the user files and the overlay', () =>
  withProject('e2e config --with-overlay', (p) => {
    assert.is(hc(['generate', '--level', 'strict'], p.dir).status, 0);
    const ours = hc(['config', '--with-overlay', '--level', 'strict', '--format', 'json'], p.dir);
    assert.is(ours.status, 0, ours.stderr);
    const theirs = docker(['compose', '-f', 'compose.yaml', '-f', 'hardcompose/overlay.yml', 'config', '--format', 'json'], {cwd: p.dir});
    assert.is(theirs.status, 0, theirs.stderr);
    const a = JSON.parse(ours.stdout).services;
    const b = JSON.parse(theirs.stdout).services;
    for (const svc of ['web', 'worker']) {
      for (const key of ['security_opt', 'cap_add', 'cap_drop']) {
        assert.equal([...(a[svc][key] ?? [])].sort(), [...(b[svc][key] ?? [])].sort(), `${svc}.${key}`);
      }
    }
    assert.ok(a.web.security_opt.includes(`apparmor=hardcompose.${p.name}.web`));
    assert.ok(a.web.security_opt.includes('no-new-privileges:true'));
    // without the flag: the user's model only
    const plain = JSON.parse(hc(['config', '--format', 'json'], p.dir).stdout).services;
    assert.is(plain.web.security_opt, undefined);
  }));

test('compose: the generic passthrough runs any subcommand with the overlay, and returns its code', () =>
  withProject('e2e compose', (p) => {
    assert.is(hc(['up', '-d', UNCONFINED], p.dir).status, 0);
    const top = hc(['compose', '--', 'top', 'worker'], p.dir);
    assert.is(top.status, 0, top.stderr);
    assert.match(top.stdout, /sleep|sh/);
    const cfg = hc(['compose', '--', 'config', '--format', 'json'], p.dir);
    assert.is(cfg.status, 0, cfg.stderr);
    assert.equal(JSON.parse(cfg.stdout).services.web.security_opt, [`apparmor=hardcompose.${p.name}.web`], 'the overlay is included');
    const bad = hc(['compose', 'no-such-subcommand'], p.dir);
    assert.ok(bad.status !== 0, 'Compose rejects an unknown subcommand and its code is returned');
  }));

test('discovered compose.override.yaml: Compose gets the files the loader read, so the overlay applies to its service too', async () => {
  if (!requireEngine('e2e override')) return;
  const p = makeProject('override');
  try {
    const up = hc(['up', '-d', UNCONFINED], p.dir);
    assert.is(up.status, 0, up.stderr);
    const opts = containers(p.name, true).map((id) => JSON.parse(docker(['inspect', id]).stdout)[0].HostConfig.SecurityOpt[0]).sort();
    assert.equal(opts, [`apparmor=hardcompose.${p.name}.sidecar`, `apparmor=hardcompose.${p.name}.web`]);
    const down = hc(['down'], p.dir);
    assert.is(down.status, 0, down.stderr);
    assert.equal(containers(p.name), []);
  } finally {
    cleanup(p);
  }
});

test('-f, --env-file, -p and --profile reach Compose wherever they stand, for up, ps, exec and down alike', async () => {
  if (!requireEngine('e2e project flags')) return;
  const port = await freePort();
  const p = makeProject('flags', {PORT: port});
  const name = `${p.name}x`;
  const flags = ['-f', 'stack.yml', '--env-file', 'ports.env', '-p', name, '--profile', 'extra'];
  try {
    const up = hc(['up', '-d', ...flags.slice(0, 4), UNCONFINED, ...flags.slice(4)], p.dir);
    assert.is(up.status, 0, up.stderr);
    const running = containers(name, true).map((id) => JSON.parse(docker(['inspect', id]).stdout)[0]);
    assert.equal(running.map((c) => c.Config.Labels['com.docker.compose.service']).sort(), ['debug', 'web'], 'the profile service runs too');
    for (const c of running) assert.equal(c.HostConfig.SecurityOpt, [`apparmor=hardcompose.${name}.${c.Config.Labels['com.docker.compose.service']}`]);
    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      try {
        body = (await httpGet(port)).body;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    assert.is(body.trim(), 'flags-ok');
    const ps = hc(['ps', '--services', ...flags], p.dir);
    assert.is(ps.status, 0, ps.stderr);
    assert.equal(ps.stdout.trim().split('\n').sort(), ['debug', 'web']);
    const exec = hc(['exec', ...flags, '-T', 'debug', 'echo', '-p', 'inside'], p.dir);
    assert.is(exec.stdout.trim(), '-p inside', exec.stderr);
    const down = hc(['down', ...flags], p.dir);
    assert.is(down.status, 0, down.stderr);
    assert.equal(containers(name), []);
  } finally {
    cleanup({dir: p.dir, name});
    cleanup(p);
  }
});

test('down -p NAME and ps without compose files: left to Compose, which finds the containers by label (and its code is returned)', () =>
  withProject('e2e no files', (p) => {
    assert.is(hc(['up', '-d', UNCONFINED], p.dir).status, 0);
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'hc-nofiles-'));
    const ps = hc(['ps', '-q', '-p', p.name], elsewhere);
    assert.is(ps.status, 0, ps.stderr);
    assert.is(ps.stdout.trim().split('\n').length, 2);
    const down = hc(['down', '-p', p.name, '-t', '1'], elsewhere);
    assert.is(down.status, 0, down.stderr);
    assert.equal(containers(p.name), []);
    const none = hc(['ps'], elsewhere);
    assert.ok(none.status !== 0 && none.status !== 2 && none.status !== 70, `Compose's own code, not a hardcompose usage error: ${none.status}`);
    assert.match(none.stderr, /no configuration file provided/);
  }));

test.run();
