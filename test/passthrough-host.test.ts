/**
 * The decisions around running Compose, without a real host: the host verdict (would Docker
 * apply the policies?) for every combination of kernel and engine facts, the refusal and warning
 * texts, policy loading against a fake host (root or not, loaded or not), the Compose command
 * line, and the terminal test used when forwarding signals.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {ExitError} from '../src/errors.js';
import {hostVerdict, kernelAllows, refusalMessage, unconfinedWarning, type HostFacts} from '../src/core/host-check.js';
import {loadPolicySet, runUnload, shellQuote, type PolicyHost, type PolicySet} from '../src/core/load.js';
import {composeGlobalArgs} from '../src/core/passthrough.js';
import {runForeground, terminalSignalsReachChild} from '../src/host/docker.js';
import * as realHost from '../src/host/policy-load.js';
import {mkdtempSync, mkdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const engineOk = (opts: string[]) => ({ok: true, securityOptions: opts, serverVersion: '20.10.24'});
const aaOn = {param: 'Y' as const, securityfs: true};
const seOff = {enabled: false, enforcing: false};

const verdicts: Array<{name: string; backend: 'apparmor' | 'selinux'; facts: HostFacts; active: boolean; found?: RegExp; fix?: RegExp}> = [
  {name: 'AppArmor kernel and engine', backend: 'apparmor', facts: {apparmor: aaOn, selinux: seOff, engine: engineOk(['name=apparmor', 'name=seccomp,profile=builtin'])}, active: true},
  {name: 'no AppArmor in the kernel', backend: 'apparmor', facts: {apparmor: {param: 'missing', securityfs: false}, selinux: seOff}, active: false, found: /enabled is missing: the kernel has no AppArmor/, fix: /apparmor=1 security=apparmor/},
  {name: 'AppArmor disabled at boot', backend: 'apparmor', facts: {apparmor: {param: 'N', securityfs: false}, selinux: seOff}, active: false, found: /is N: the kernel has AppArmor but it is disabled/},
  {name: 'securityfs not mounted', backend: 'apparmor', facts: {apparmor: {param: 'Y', securityfs: false}, selinux: seOff}, active: false, found: /securityfs is not mounted/, fix: /mount -t securityfs/},
  {name: 'engine without AppArmor', backend: 'apparmor', facts: {apparmor: aaOn, selinux: seOff, engine: engineOk(['name=seccomp,profile=default'])}, active: false, found: /does not list name=apparmor/, fix: /restart dockerd/},
  {name: 'engine unreachable', backend: 'apparmor', facts: {apparmor: aaOn, selinux: seOff, engine: {ok: false, securityOptions: [], error: 'Cannot connect to the Docker daemon'}}, active: false, found: /docker info failed \(Cannot connect/},
  {name: 'SELinux enforcing and engine with --selinux-enabled', backend: 'selinux', facts: {apparmor: aaOn, selinux: {enabled: true, enforcing: true}, engine: engineOk(['name=selinux', 'name=seccomp,profile=default'])}, active: true},
  {name: 'SELinux disabled', backend: 'selinux', facts: {apparmor: aaOn, selinux: seOff}, active: false, found: /SELinux is disabled/, fix: /--backend apparmor/},
  {name: 'SELinux permissive', backend: 'selinux', facts: {apparmor: aaOn, selinux: {enabled: true, enforcing: false}}, active: false, found: /permissive/, fix: /setenforce 1/},
  {name: 'engine without --selinux-enabled', backend: 'selinux', facts: {apparmor: aaOn, selinux: {enabled: true, enforcing: true}, engine: engineOk(['name=seccomp,profile=default'])}, active: false, found: /--selinux-enabled/},
];

for (const v of verdicts) {
  test(`host verdict: ${v.name} → ${v.active ? 'active' : 'refuse'}`, () => {
    const got = hostVerdict(v.backend, v.facts);
    assert.is(got.active, v.active, JSON.stringify(got));
    if (v.active) assert.equal(got.found, []);
    if (v.found) assert.match(got.found.join('\n'), v.found);
    if (v.fix) assert.match(got.fixes.join('\n'), v.fix);
    assert.match(got.fixes[got.fixes.length - 1], /--allow-unconfined/);
  });
}

test('kernelAllows: the engine is only asked when the kernel part holds', () => {
  assert.is(kernelAllows('apparmor', {apparmor: aaOn, selinux: seOff}), true);
  assert.is(kernelAllows('apparmor', {apparmor: {param: 'missing', securityfs: false}, selinux: seOff}), false);
  assert.is(kernelAllows('selinux', {apparmor: aaOn, selinux: {enabled: true, enforcing: false}}), false);
});

test('refusal message: unconfined, the backend and where it came from, what was found, how to fix, nothing started', () => {
  const v = hostVerdict('apparmor', {apparmor: {param: 'missing', securityfs: false}, selinux: seOff});
  const msg = refusalMessage(v, 'shop', 'host');
  assert.match(msg, /Docker would start its containers UNCONFINED/);
  assert.match(msg, /backend is apparmor \(the default on a host without SELinux\)/);
  assert.match(msg, /\/sys\/module\/apparmor\/parameters\/enabled is missing: the kernel has no AppArmor/);
  assert.match(msg, /boot a kernel with AppArmor enabled: add apparmor=1 security=apparmor/);
  assert.match(msg, /--backend selinux/);
  assert.match(msg, /--allow-unconfined/);
  assert.match(msg, /Nothing was started\.$/);
  assert.match(refusalMessage(v, 'shop', 'flag'), /\(--backend apparmor\)/);
  assert.match(refusalMessage(v, 'shop', 'x-hardcompose'), /x-hardcompose\.backend: apparmor/);
});

test('unconfined warning: loud and several lines', () => {
  const lines = unconfinedWarning(hostVerdict('apparmor', {apparmor: {param: 'missing', securityfs: false}, selinux: seOff}), 'shop');
  assert.ok(lines.length >= 5);
  assert.ok(lines.some((l) => /WARNING: --allow-unconfined: the containers of project shop start UNCONFINED/.test(l)));
});

/** A fake host: records every command; `loaded` is what the kernel lists. */
function fakeHost(o: {root: boolean; aa?: typeof aaOn | {param: 'missing'; securityfs: false}; se?: {enabled: boolean; enforcing: boolean}; loaded?: string[]; modules?: string[]; fail?: boolean; loadsNothing?: boolean}) {
  const ran: string[][] = [];
  const loaded = new Set(o.loaded ?? []);
  const modules = new Set(o.modules ?? []);
  const host: PolicyHost = {
    isRoot: () => o.root,
    apparmorKernel: () => o.aa ?? aaOn,
    selinuxKernel: () => o.se ?? seOff,
    loadedAppArmorProfiles: () => new Set(loaded),
    installedSelinuxModules: () => new Set(modules),
    apparmorLoadArgv: realHost.apparmorLoadArgv,
    apparmorUnloadArgv: realHost.apparmorUnloadArgv,
    semoduleInstallArgv: realHost.semoduleInstallArgv,
    semoduleRemoveArgv: realHost.semoduleRemoveArgv,
    runTool: (argv) => {
      ran.push(argv);
      if (o.fail) return {ok: false, status: 1, stdout: '', stderr: 'AppArmor parser error: boom'};
      if (o.loadsNothing) return {ok: true, status: 0, stdout: '', stderr: ''};
      const files = argv.slice(argv.indexOf('--') + 1);
      if (argv[1] === '-r') for (const f of files) loaded.add(path.basename(f));
      if (argv[1] === '-R') for (const f of files) loaded.delete(path.basename(f));
      if (argv[0] === 'semodule' && argv[1] === '-i') for (const f of argv.slice(2)) modules.add(path.basename(f, '.cil'));
      if (argv[0] === 'semodule' && argv[1] === '-r') for (const n of argv.slice(2)) modules.delete(n);
      return {ok: true, status: 0, stdout: '', stderr: ''};
    },
  };
  return {host, ran, loaded, modules};
}

const aaSet: PolicySet = {backend: 'apparmor', files: ['/p/hardcompose/apparmor/hardcompose.shop.api', '/p/hardcompose/apparmor/hardcompose.shop.db'], names: ['hardcompose.shop.api', 'hardcompose.shop.db']};

async function rejects(p: Promise<unknown>, match: RegExp, code = 1): Promise<ExitError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, ExitError);
    assert.is((e as ExitError).exitCode, code);
    assert.match((e as ExitError).message, match);
    return e as ExitError;
  }
  assert.unreachable(`should have failed with ${match}`);
  throw new Error('unreachable');
}

test('load as root: apparmor_parser -r -W with every file, then confirmed in the kernel list', async () => {
  const f = fakeHost({root: true});
  const out = await loadPolicySet(aaSet, {mode: 'all', changed: new Set()}, f.host);
  assert.equal(f.ran, [['apparmor_parser', '-r', '-W', '--', ...aaSet.files]]);
  assert.equal(out.loaded, aaSet.names);
});

test('load not root: exit 1 with the exact sudo command, nothing run', async () => {
  const f = fakeHost({root: false});
  const e = await rejects(loadPolicySet(aaSet, {mode: 'all', changed: new Set()}, f.host), /needs root/);
  assert.ok(e.message.includes('sudo apparmor_parser -r -W -- /p/hardcompose/apparmor/hardcompose.shop.api /p/hardcompose/apparmor/hardcompose.shop.db'), e.message);
  assert.equal(f.ran, []);
});

test('load on a kernel without AppArmor: exit 1, says so, nothing run', async () => {
  const f = fakeHost({root: true, aa: {param: 'missing', securityfs: false}});
  await rejects(loadPolicySet(aaSet, {mode: 'all', changed: new Set()}, f.host), /the kernel has no AppArmor/);
  assert.equal(f.ran, []);
});

test('up, not root: passes when every profile is loaded and none changed; refuses with sudo when one changed', async () => {
  const f = fakeHost({root: false, loaded: aaSet.names});
  const out = await loadPolicySet(aaSet, {mode: 'needed', changed: new Set()}, f.host);
  assert.equal(out.loaded, []);
  assert.equal(out.kept, aaSet.names);
  await rejects(loadPolicySet(aaSet, {mode: 'needed', changed: new Set(['hardcompose.shop.db'])}, f.host), /sudo apparmor_parser -r -W/);
  const g = fakeHost({root: false, loaded: ['hardcompose.shop.api']});
  await rejects(loadPolicySet(aaSet, {mode: 'needed', changed: new Set()}, g.host), /loading 1 AppArmor profile\(s\) needs root/);
});

test('up as root reloads every profile (the parser cache makes it cheap; a profile generated after its last load is replaced)', async () => {
  const f = fakeHost({root: true, loaded: aaSet.names});
  const out = await loadPolicySet(aaSet, {mode: 'needed', changed: new Set()}, f.host);
  assert.is(f.ran.length, 1);
  assert.equal(out.loaded, aaSet.names);
});

test('load: a parser failure and a profile missing afterwards are both exit 1', async () => {
  await rejects(loadPolicySet(aaSet, {mode: 'all', changed: new Set()}, fakeHost({root: true, fail: true}).host), /failed \(exit 1\):\nAppArmor parser error: boom/);
  await rejects(loadPolicySet(aaSet, {mode: 'all', changed: new Set()}, fakeHost({root: true, loadsNothing: true}).host), /not listed in \/sys\/kernel\/security\/apparmor\/profiles/);
});

const seSet: PolicySet = {backend: 'selinux', files: ['/p/h/selinux/hardcompose_base.cil', '/p/h/selinux/hardcompose_shop_api.cil'], names: ['hardcompose_base', 'hardcompose_shop_api']};

test('SELinux: semodule -i installs base and modules in one transaction; up skips it when installed and unchanged', async () => {
  const f = fakeHost({root: true, se: {enabled: true, enforcing: true}});
  const out = await loadPolicySet(seSet, {mode: 'needed', changed: new Set()}, f.host);
  assert.equal(f.ran, [['semodule', '-i', ...seSet.files]]);
  assert.equal(out.loaded, seSet.names);
  const again = await loadPolicySet(seSet, {mode: 'needed', changed: new Set()}, f.host);
  assert.equal(again.loaded, []);
  assert.is(f.ran.length, 1);
  const notRoot = fakeHost({root: false, se: {enabled: true, enforcing: true}});
  await rejects(loadPolicySet(seSet, {mode: 'all', changed: new Set()}, notRoot.host), /sudo semodule -i \/p\/h\/selinux\/hardcompose_base\.cil/);
  await rejects(loadPolicySet(seSet, {mode: 'all', changed: new Set()}, fakeHost({root: true}).host), /SELinux is disabled/);
});

function outDirWith(files: Record<string, string>): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'hc-unload-')), 'hardcompose');
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, p)), {recursive: true});
    writeFileSync(path.join(dir, p), c);
  }
  return dir;
}

test('unload: removes the loaded profiles of the folder with apparmor_parser -R, skips the others', async () => {
  const outDir = outDirWith({'apparmor/hardcompose.shop.api': 'x', 'apparmor/hardcompose.shop.db': 'x', 'overlay.yml': 'services: {}\n'});
  const f = fakeHost({root: true, loaded: ['hardcompose.shop.api', 'docker-default']});
  const res = await runUnload({location: {outDir}}, f.host);
  assert.equal(f.ran, [['apparmor_parser', '-R', '--', path.join(outDir, 'apparmor/hardcompose.shop.api')]]);
  assert.equal(res.results[0].removed, ['hardcompose.shop.api']);
  assert.equal(res.results[0].notLoaded, ['hardcompose.shop.db']);
  assert.ok(f.loaded.has('docker-default'), 'other profiles untouched');
  await rejects(runUnload({location: {outDir}}, fakeHost({root: false, loaded: ['hardcompose.shop.db']}).host), /sudo apparmor_parser -R --/);
});

test('unload on a kernel without AppArmor: nothing loaded, nothing run, exit 0', async () => {
  const outDir = outDirWith({'apparmor/hardcompose.shop.api': 'x'});
  const f = fakeHost({root: true, aa: {param: 'missing', securityfs: false}});
  const res = await runUnload({location: {outDir}}, f.host);
  assert.equal(f.ran, []);
  assert.match(res.results[0].note ?? '', /no AppArmor/);
});

test('unload SELinux: keeps the shared base while another project still uses it', async () => {
  const outDir = outDirWith({'selinux/hardcompose_base.cil': 'x', 'selinux/hardcompose_shop_api.cil': 'x'});
  const f = fakeHost({root: true, se: {enabled: true, enforcing: true}, modules: ['hardcompose_base', 'hardcompose_shop_api', 'hardcompose_blog_web']});
  const res = await runUnload({location: {outDir}}, f.host);
  assert.equal(f.ran, [['semodule', '-r', 'hardcompose_shop_api']]);
  assert.equal(res.results[0].kept, ['hardcompose_base']);
  const g = fakeHost({root: true, se: {enabled: true, enforcing: true}, modules: ['hardcompose_base', 'hardcompose_shop_api']});
  await runUnload({location: {outDir}}, g.host);
  assert.equal(g.ran, [['semodule', '-r', 'hardcompose_base', 'hardcompose_shop_api']]);
});

test('shellQuote: paste-able into a POSIX shell', () => {
  assert.is(shellQuote(['sudo', 'apparmor_parser', '-r', '/a b/it\'s']), `sudo apparmor_parser -r '/a b/it'\\''s'`);
});

test('compose command line: each user file, the overlay last, then the project flags as given, then compose globals', () => {
  const args = composeGlobalArgs({
    files: ['/p/compose.yaml', '/p/compose.override.yaml'],
    overlay: '/p/hardcompose/overlay.yml',
    load: {files: [], cwd: '/p', env: {}, projectName: 'x', projectDirectory: '.', envFiles: ['a.env'], profiles: ['dev', 'debug']},
    extra: ['--ansi', 'never'],
  });
  assert.equal(args, ['-f', '/p/compose.yaml', '-f', '/p/compose.override.yaml', '-f', '/p/hardcompose/overlay.yml', '-p', 'x', '--project-directory', '.', '--env-file', 'a.env', '--profile', 'dev', '--profile', 'debug', '--ansi', 'never']);
});

test('terminal test for signal forwarding: forward unless a terminal delivered the signal to our group', () => {
  // pid (comm) state ppid pgrp session tty_nr tpgid …
  assert.is(terminalSignalsReachChild('100 (node) S 99 100 90 34816 100 4194304'), true, 'foreground of a terminal');
  assert.is(terminalSignalsReachChild('100 (node) S 99 100 90 34816 120 4194304'), false, 'background job');
  assert.is(terminalSignalsReachChild('100 (node) S 99 100 100 0 -1 4194304'), false, 'no terminal');
  assert.is(terminalSignalsReachChild('100 (a) b (c) S 99 100 90 34816 100 0'), true, 'a comm with ) and spaces');
});

test('runForeground: the child\'s exit code, 128 + signal when a signal killed it, 127 when it cannot start', async () => {
  assert.is(await runForeground(['sh', '-c', 'exit 7'], {cwd: os.tmpdir()}), 7);
  assert.is(await runForeground(['sh', '-c', 'kill -TERM $$'], {cwd: os.tmpdir()}), 143);
  assert.is(await runForeground(['sh', '-c', 'kill -KILL $$'], {cwd: os.tmpdir()}), 137);
  assert.is(await runForeground(['/nonexistent/docker', 'compose'], {cwd: os.tmpdir()}), 127);
  assert.is(process.listenerCount('SIGINT'), 0, 'signal handlers removed once the child is gone');
});

test.run();
