#!/usr/bin/env node
// The lab's driver, run inside the guest (AppArmor kernel, dockerd up) by lab/guest/boot.sh:
//
//   node /opt/hardcompose/lab/guest/driver.js OUT_DIR
//
// The driver runs from the copy of the repo that boot.sh unpacked onto the guest's disk (node
// over the 9p share is several times slower under emulation). OUT_DIR/params.json (written by
// lab/lab.sh) sets the time budget and the benchmark size.
// For every stack (lab/stacks/* and examples/*, copied to a writable folder) and every policy
// round (hardcompose at baseline, hardcompose at strict, docker-default, unconfined) it brings
// the stack up, runs the probe suite of lab/probes.js in every container, and takes it down.
// Then it measures the cost of confinement. It writes OUT_DIR/report.json, the generated
// profiles (OUT_DIR/generated/), and the kernel's AppArmor log lines (OUT_DIR/apparmor.log).
//
// hardcompose is used the way a user would: `hardcompose up -d --level L` (regenerate, check the
// host, load, docker compose up with the overlay), `hardcompose down -v`, and `hardcompose load`
// before the overhead measurement. A CLI without `up` (before issue #6) falls back to
// `hardcompose generate` + `apparmor_parser -r -W` + `docker compose -f ... -f overlay.yml up -d`;
// the report records which path ran.
import {spawn, spawnSync} from 'node:child_process';
import {chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {PROBES, applicableProbes, classify, verdict} from '../probes.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = process.argv[2] ?? '/mnt/out';
const WORK = '/root/lab';
const HC = ['node', '--', path.join(REPO, 'bin/run.js')];
const IMAGE = 'hardcompose-lab/busybox:latest';
const STAND_IN = 'hardcompose-lab/stand-in:latest';
const ROUNDS = ['hardcompose-baseline', 'hardcompose-strict', 'docker-default', 'unconfined'];
const params = readJson(path.join(OUT, 'params.json'), {});
const budgetSec = Number(params.budgetSec ?? 600);
const T0 = uptime();

function uptime() { return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]); }
function elapsed() { return uptime() - T0; }
function say(msg) { process.stdout.write(`[guest ${uptime().toFixed(1).padStart(6)}s] ${msg}\n`); }
function readJson(file, fallback) { try { return JSON.parse(readFileSync(file, 'utf8')); } catch { return fallback; } }

/** Run a command; never throws. */
function run(cmd, args, {cwd, input, env, timeoutMs = 180_000} = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, {cwd, env: {...process.env, ...env}, stdio: ['pipe', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => { stderr += String(e); });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({status: killed ? null : status, stdout, stderr, ms: Date.now() - started});
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

function runSync(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {encoding: 'utf8', timeout: 60_000, ...opts});
  return {status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '')};
}

/**
 * Run (stack, policy) tasks in the order given, at most `limit` at a time; never the same stack
 * twice at once (one compose project) nor two stacks that publish the same host port (the
 * examples publish 80, 8080, ...). A task that would not finish within the budget (estimated from
 * the tasks done so far) is skipped, so the report is always written in time.
 */
async function schedule(tasks, limit, fn, onSkip) {
  const busyStacks = new Set();
  const busyPorts = new Set();
  const durations = [];
  const byStack = new Map();
  const waiting = [...tasks];
  let active = 0;
  return new Promise((resolve) => {
    const pump = () => {
      for (let k = 0; k < waiting.length && active < limit; k++) {
        const task = waiting[k];
        if (busyStacks.has(task.stack.label) || task.stack.hostPorts.some((p) => busyPorts.has(p))) continue;
        waiting.splice(k--, 1);
        const mine = byStack.get(task.stack.label) ?? [];
        const estimate = mine.length ? Math.max(...mine) : durations.length ? Math.max(...durations) : 90;
        const left = budgetSec - elapsed();
        if (left < estimate * 1.2 + 20) { onSkip(task, left); continue; }
        active++;
        busyStacks.add(task.stack.label);
        for (const p of task.stack.hostPorts) busyPorts.add(p);
        const t = uptime();
        fn(task).catch((e) => say(`${task.stack.label} [${task.policy}]: ${e.stack ?? e}`)).finally(() => {
          durations.push(uptime() - t);
          byStack.set(task.stack.label, [...(byStack.get(task.stack.label) ?? []), uptime() - t]);
          active--;
          busyStacks.delete(task.stack.label);
          for (const p of task.stack.hostPorts) busyPorts.delete(p);
          pump();
        });
      }
      if (!waiting.length && !active) resolve();
    };
    pump();
  });
}

// ----------------------------------------------------------------------------------- images

/**
 * A busybox rootfs from the guest's busybox-static, imported twice (no registry is reachable):
 * the lab image, and a stand-in for the examples' images whose entrypoint ignores their command.
 * `stubs`: commands the examples' healthchecks run (pg_isready, ...), present as `exit 0`.
 */
async function buildImages(stubs) {
  const root = path.join(WORK, 'rootfs');
  rmSync(root, {recursive: true, force: true});
  // var/cache/app: the cache the lab/learn application keeps in its image (the learn round trip)
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'proc', 'sys', 'dev', 'mnt', 'root', 'run', 'tmp', 'var/tmp', 'var/cache/app']) {
    mkdirSync(path.join(root, d), {recursive: true});
  }
  cpSync('/bin/busybox', path.join(root, 'bin/busybox'));
  const applets = runSync('/bin/busybox', ['--list-full']).stdout.split('\n').filter(Boolean);
  for (const a of applets) {
    if (a !== 'bin/busybox' && !existsSync(path.join(root, a))) symlinkSync('/bin/busybox', path.join(root, a));
  }
  for (const stub of stubs) {
    const f = path.join(root, 'usr/local/bin', stub);
    if (!existsSync(f)) { writeFileSync(f, '#!/bin/sh\n# hardcompose lab stand-in for a healthcheck command\nexit 0\n'); chmodSync(f, 0o755); }
  }
  writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(path.join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n');
  chmodSync(path.join(root, 'etc/shadow'), 0o640);
  chmodSync(path.join(root, 'tmp'), 0o1777);
  chmodSync(path.join(root, 'var/tmp'), 0o1777);
  const tar = path.join(WORK, 'rootfs.tar');
  runSync('tar', ['-C', root, '-cf', tar, '.']);
  const a = await run('docker', ['import', tar, IMAGE]);
  const b = await run('docker', ['import', '-c', 'ENTRYPOINT ["/bin/sh", "-c", "exec sleep 1000000", "stand-in"]', tar, STAND_IN]);
  if (a.status !== 0 || b.status !== 0) throw new Error(`docker import failed: ${a.stderr}${b.stderr}`);
}

// ----------------------------------------------------------------------------------- stacks

const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

function discoverStacks() {
  const stacks = [];
  for (const [base, kind] of [['lab/stacks', 'lab'], ['examples', 'example']]) {
    const dir = path.join(REPO, base);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const src = path.join(dir, name);
      const file = COMPOSE_NAMES.find((f) => existsSync(path.join(src, f)));
      if (!file) continue;
      const label = `${base}/${name}`;
      if (Array.isArray(params.stacks) && !params.stacks.includes(label)) continue;
      const over = file.replace(/\.(ya?ml)$/, '.override.$1');
      const files = existsSync(path.join(src, over)) ? [file, over] : [file];
      stacks.push({label, kind, src, dir: path.join(WORK, 'stacks', label.replace(/\//g, '-')), files});
    }
  }
  return stacks;
}

function asList(v) { return Array.isArray(v) ? v : v == null ? [] : [v]; }
function capSet(list) { return new Set(asList(list).map((c) => String(c).toUpperCase().replace(/^CAP_/, ''))); }

/** What the probes need to know about each service, from `docker compose config` (the referee). */
async function loadStack(stack) {
  rmSync(stack.dir, {recursive: true, force: true});
  cpSync(stack.src, stack.dir, {recursive: true});
  // the referee for what runs; hardcompose's own model for the service-level x-hardcompose
  // steering, which docker compose config does not print
  const [cfg, hcfg] = await Promise.all([
    run('docker', ['compose', ...stack.files.flatMap((f) => ['-f', f]), 'config', '--format', 'json'], {cwd: stack.dir}),
    run(HC[0], [...HC.slice(1), 'config', '--format', 'json'], {cwd: stack.dir}),
  ]);
  if (cfg.status !== 0) throw new Error(`${stack.label}: docker compose config failed: ${cfg.stderr}`);
  const model = JSON.parse(cfg.stdout);
  const steering = hcfg.status === 0 ? JSON.parse(hcfg.stdout) : {};
  stack.project = model.name;
  stack.backend = model['x-hardcompose']?.backend ?? 'apparmor';
  stack.level = model['x-hardcompose']?.level ?? 'baseline';
  stack.hostPorts = [];
  stack.healthchecks = [];
  const names = Object.keys(model.services ?? {}).sort();
  stack.services = names.map((name) => {
    const s = model.services[name];
    const add = capSet(s.cap_add);
    const drop = capSet(s.cap_drop);
    const privileged = s.privileged === true;
    const vols = asList(s.volumes);
    const secrets = asList(s.secrets).map((x) => {
      const t = typeof x === 'string' ? x : x.target ?? x.source;
      return t.startsWith('/') ? t : `/run/secrets/${t}`;
    });
    const isSocket = (v) => { try { return v.type === 'bind' && statSync(v.source).isSocket(); } catch { return false; } };
    const roVols = vols.filter((v) => v.read_only && (v.type === 'bind' || v.type === 'volume'));
    const ro = [...roVols.filter((v) => !isSocket(v)).map((v) => v.target), ...secrets];
    const roSockets = roVols.filter(isSocket).map((v) => v.target);
    const x = steering.services?.[name]?.['x-hardcompose'] ?? {};
    const rw = vols.filter((v) => !v.read_only && (v.type === 'bind' || v.type === 'volume')).map((v) => v.target);
    const tmpfs = [...vols.filter((v) => v.type === 'tmpfs').map((v) => v.target), ...asList(s.tmpfs).map((t) => String(t).split(':')[0])];
    const ports = asList(s.ports).map((p) => ({target: Number(p.target), published: p.published ? Number(p.published) : null, host: p.host_ip || '127.0.0.1', protocol: p.protocol ?? 'tcp'}))
      .concat(asList(s.expose).map((e) => ({target: Number(String(e).split('/')[0]), published: null, protocol: String(e).split('/')[1] ?? 'tcp'})))
      .filter((p) => p.protocol === 'tcp');
    for (const p of asList(s.ports)) if (p.published) stack.hostPorts.push(`${p.published}/${p.protocol ?? 'tcp'}`);
    const test = asList(s.healthcheck?.test);
    if (test[0] === 'CMD' && test[1]) stack.healthchecks.push(String(test[1]));
    if (test[0] === 'CMD-SHELL' && test[1]) stack.healthchecks.push(String(test[1]).trim().split(/\s+/)[0]);
    const raw = privileged || add.has('NET_RAW') || add.has('ALL') || x.network?.raw === true;
    const peers = names.filter((n) => n !== name);
    const image = s.image ?? '';
    return {
      name, image,
      standIn: !image.startsWith('hardcompose-lab/'),
      user: s.user ?? '',
      level: x.level ?? stack.level,
      ro, roSockets, rw, tmpfs, ports, peers,
      facts: {
        sysAdmin: privileged || ((add.has('SYS_ADMIN') || add.has('ALL')) && !drop.has('SYS_ADMIN')),
        privileged,
        noRaw: !raw && s.network_mode !== 'host',
        pidHost: s.pid === 'host',
        roMount: ro.length > 0,
        roAny: ro.length + roSockets.length > 0,
        rwVolume: rw.length > 0,
        tmpfs: tmpfs.length > 0,
        port: ports.length > 0,
        peer: peers.length > 0 && s.network_mode == null,
      },
    };
  });
}

// ----------------------------------------------------------------------------------- rounds

const hcHasUp = existsSync(path.join(REPO, 'dist/src/commands/up.js'));
const hcPath = {};

function composeArgs(stack, extra) {
  return ['compose', ...[...stack.files, ...extra].flatMap((f) => ['-f', f])];
}

function tail(text, n = 1500) { return text.length > n ? `...${text.slice(-n)}` : text; }

/** Bring a stack up under one policy; returns an error text or null. */
async function up(stack, policy) {
  if (policy.startsWith('hardcompose-')) {
    const level = policy.slice('hardcompose-'.length);
    if (hcHasUp) {
      hcPath.up = 'hardcompose up -d --level L';
      // hardcompose up refuses privileged services under AppArmor (Docker drops their profile on
      // restart); the lab accepts that risk explicitly to probe them.
      const consent = stack.services.some((s) => s.facts?.privileged) ? ['--allow-unconfined'] : [];
      const r = await run(HC[0], [...HC.slice(1), 'up', '-d', '--level', level, ...consent], {cwd: stack.dir, timeoutMs: 600_000});
      if (r.status !== 0) return `hardcompose up -d --level ${level} ${consent.join(' ')} exited ${r.status}: ${tail(r.stderr + r.stdout)}`;
    } else {
      hcPath.up = 'hardcompose generate + apparmor_parser -r -W + docker compose -f ... -f hardcompose/overlay.yml up -d';
      const g = await run(HC[0], [...HC.slice(1), 'generate', '--level', level], {cwd: stack.dir});
      if (g.status !== 0) return `hardcompose generate failed (${g.status}): ${tail(g.stderr)}`;
      const dir = path.join(stack.dir, 'hardcompose/apparmor');
      const l = await run('apparmor_parser', ['-r', '-W', ...readdirSync(dir).map((f) => path.join(dir, f))]);
      if (l.status !== 0) return `apparmor_parser -r failed: ${tail(l.stderr)}`;
      const r = await run('docker', [...composeArgs(stack, ['hardcompose/overlay.yml']), 'up', '-d'], {cwd: stack.dir, timeoutMs: 600_000});
      if (r.status !== 0) return `docker compose up failed: ${tail(r.stderr)}`;
    }
    const keep = path.join(OUT, 'generated', stack.label.replace(/\//g, '-'), level);
    rmSync(keep, {recursive: true, force: true});
    mkdirSync(keep, {recursive: true});
    cpSync(path.join(stack.dir, 'hardcompose'), keep, {recursive: true});
    return null;
  }
  const name = policy === 'docker-default' ? 'docker-default' : 'unconfined';
  const file = path.join(stack.dir, `lab-policy-${name}.yml`);
  const lines = ['# written by the hardcompose lab: every service under one AppArmor policy', 'services:'];
  for (const s of stack.services) lines.push(`  ${JSON.stringify(s.name)}:`, `    security_opt: [${JSON.stringify(`apparmor=${name}`)}]`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const r = await run('docker', [...composeArgs(stack, [file]), 'up', '-d'], {cwd: stack.dir, timeoutMs: 600_000});
  if (r.status !== 0) return `docker compose up failed: ${tail(r.stderr)}`;
  return null;
}

async function down(stack, policy) {
  if (policy.startsWith('hardcompose-') && hcHasUp) {
    hcPath.down = 'hardcompose down -v -t 0';
    const r = await run(HC[0], [...HC.slice(1), 'down', '-v', '-t', '0'], {cwd: stack.dir, timeoutMs: 600_000});
    if (r.status === 0) return;
    say(`${stack.label}: hardcompose down exited ${r.status}, falling back to docker compose down: ${tail(r.stderr, 300)}`);
  }
  hcPath.down ??= 'docker compose down -v -t 0';
  await run('docker', ['compose', '-p', stack.project, 'down', '-v', '-t', '0', '--remove-orphans'], {cwd: stack.dir, timeoutMs: 600_000});
}

/** The stack's containers, in the order of stack.services (null: no container). */
async function containersOf(stack) {
  const r = await run('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${stack.project}`]);
  const ids = r.stdout.trim().split('\n').filter(Boolean);
  const infos = ids.length ? JSON.parse((await run('docker', ['inspect', ...ids])).stdout || '[]') : [];
  return stack.services.map((svc) => {
    const info = infos.find((x) => x.Config?.Labels?.['com.docker.compose.service'] === svc.name);
    if (!info) return null;
    const nets = Object.values(info.NetworkSettings?.Networks ?? {});
    const pid = info.State?.Pid ?? 0;
    let attr = '';
    try { attr = readFileSync(`/proc/${pid}/attr/current`, 'utf8').trim(); } catch { attr = '?'; }
    return {
      id: info.Id, pid, attr,
      running: info.State?.Running === true,
      exitCode: info.State?.ExitCode,
      apparmor: info.AppArmorProfile,
      ip: nets[0]?.IPAddress ?? '',
      gateway: nets[0]?.Gateway ?? '',
    };
  });
}

async function waitRunning(stack) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const cs = await containersOf(stack);
    if (cs.every((c) => c && c.running) || Date.now() > deadline) return cs;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function httpGet(host, port, timeoutMs = 8000) {
  return new Promise((resolve) => {
    const sock = net.connect({host, port});
    let data = '';
    const done = (ok, msg) => { sock.destroy(); resolve({ok, msg}); };
    sock.setTimeout(timeoutMs, () => done(false, `timeout connecting to ${host}:${port}`));
    sock.on('connect', () => sock.write('GET / HTTP/1.0\r\nHost: lab\r\n\r\n'));
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => done(/^HTTP\/1\.[01] \d{3}/.test(data), data.split('\r\n')[0] || `${host}:${port}: empty answer`));
    sock.on('error', (e) => done(false, `${host}:${port}: ${e.code ?? e.message}`));
  });
}

async function hostProbe(probe, svc, c) {
  if (probe.check === 'restart') {
    const before = c.attr;
    const r = await run('docker', ['restart', '-t', '0', c.id], {timeoutMs: 120_000});
    const pid = (await run('docker', ['inspect', '-f', '{{.State.Pid}}', c.id])).stdout.trim();
    let after = '?';
    try { after = readFileSync(`/proc/${pid}/attr/current`, 'utf8').trim(); } catch { /* not running */ }
    if (r.status !== 0 || after === '?') return {outcome: 'error', errno: 'other', detail: `docker restart exited ${r.status}: ${tail(r.stderr, 200)}`};
    // "denied": the restarted process is still confined as before; "allowed": it came back in
    // another label (unconfined), so every attack of this suite would now succeed
    const same = after === before;
    return {outcome: same ? 'denied' : 'allowed', errno: same ? 'confined' : 'relabelled', detail: `PID 1 label before: ${before}; after docker restart: ${after}`};
  }
  if (probe.check === 'command') {
    const now = await run('docker', ['inspect', '-f', '{{.State.Running}} {{.RestartCount}} {{.State.ExitCode}}', c.id]);
    const [running, restarts, exitCode] = now.stdout.trim().split(' ');
    const ok = running === 'true' && restarts === '0';
    return {outcome: ok ? 'allowed' : 'denied', errno: ok ? 'ok' : 'exited', detail: `running=${running} restarts=${restarts} exit=${exitCode}${svc.standIn ? ' (stand-in command)' : ''}`};
  }
  // serve: every declared tcp port must answer HTTP
  const notes = [];
  for (const p of svc.ports) {
    if (svc.standIn) {
      // the stand-in image has no server: start one in the container (daemonised), under its profile
      const s = await run('docker', ['exec', c.id, 'httpd', '-p', String(p.target), '-h', '/'], {timeoutMs: 30_000});
      if (s.status !== 0) {
        const k = classify(s.status, s.stderr + s.stdout);
        return {...k, outcome: k.outcome === 'allowed' ? 'error' : k.outcome, detail: `httpd -p ${p.target}: ${(s.stderr + s.stdout).trim().slice(-300)}`};
      }
    }
    let r = {ok: false, msg: ''};
    for (let i = 0; i < 5 && !r.ok; i++) {
      r = p.published ? await httpGet(p.host === '0.0.0.0' ? '127.0.0.1' : p.host, p.published) : await httpGet(c.ip, p.target);
      if (!r.ok) await new Promise((res) => setTimeout(res, 1000));
    }
    notes.push(`${p.published ? `${p.host}:${p.published}` : `${c.ip}:${p.target}`} ${r.msg}`);
    if (!r.ok) return {outcome: 'error', errno: 'other', detail: notes.join('; ')};
  }
  return {outcome: 'allowed', errno: 'ok', detail: notes.join('; ')};
}

/** Exec probes in one `docker exec` (busybox sh); outcomes from exit status and errno. */
async function execProbes(probes, c, env, user) {
  if (!probes.length) return {};
  const label = c.attr.replace(/ \((enforce|complain)\)$/, '');
  const lines = [
    // Run where the application runs: in the label of the container's main process. Docker
    // leaves `docker exec` of a privileged container unconfined; then move into that label.
    'echo "@@PROBELABEL $(cat /proc/self/attr/current 2>/dev/null)"',
    'lab_probe() {',
    '  out=$(timeout 30 sh -c "$(echo "$2" | base64 -d)" 2>&1 </dev/null); rc=$?',
    '  printf "@@PROBE %s %s %s\\n" "$1" "$rc" "$(printf "%s" "$out" | tail -c 800 | base64 | tr -d "\\n")"',
    '}',
  ];
  for (const p of probes) lines.push(`lab_probe ${p.id} ${Buffer.from(p.script).toString('base64')}`);
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const userArgs = user ? ['-u', user] : [];
  const wrapper = `me=$(cat /proc/self/attr/current 2>/dev/null); echo "@@DOCKEREXEC $me"; `
    + (label === 'unconfined' || label === '?' ? 'exec sh -s' : `if [ "$me" != "${c.attr}" ]; then printf 'exec %s' '${label}' > /proc/self/attr/exec; fi; exec sh -s`);
  const r = await run('docker', ['exec', '-i', ...userArgs, ...envArgs, c.id, 'sh', '-c', wrapper], {input: `${lines.join('\n')}\n`, timeoutMs: 300_000});
  c.dockerExecLabel = /@@DOCKEREXEC (.*)/.exec(r.stdout)?.[1] ?? '?';
  const probeLabel = /@@PROBELABEL (.*)/.exec(r.stdout)?.[1] ?? '?';
  if (probeLabel !== c.attr) {
    const why = `probes would run as ${probeLabel}, not as the main process (${c.attr}); docker exec gave ${c.dockerExecLabel}: ${tail(r.stderr, 300)}`;
    return Object.fromEntries(probes.map((p) => [p.id, {outcome: 'error', errno: 'other', detail: why}]));
  }
  const got = new Map();
  for (const line of r.stdout.split('\n')) {
    const m = /^@@PROBE (\S+) (\d+) ?(\S*)$/.exec(line);
    if (!m) continue;
    const out = Buffer.from(m[3], 'base64').toString('utf8');
    got.set(m[1], {...classify(Number(m[2]), out), status: Number(m[2]), detail: out.trim().split('\n').slice(-3).join(' | ')});
  }
  const res = {};
  for (const p of probes) {
    res[p.id] = got.get(p.id) ?? {outcome: 'error', errno: 'other', detail: `no result (docker exec exit ${r.status}: ${r.stderr.trim().slice(-300)})`};
  }
  return res;
}

async function probeService(stack, svc, c, containers, hostPid) {
  const probes = applicableProbes({...svc.facts, level: svc.level});
  const peer = svc.peers[0];
  // the pid: host probes aim at the service named victim when there is one
  const target = svc.peers.includes('victim') ? 'victim' : peer;
  const peerC = target ? containers[stack.services.findIndex((s) => s.name === target)] : null;
  const env = {
    LAB_RO: svc.ro.join(' '), LAB_RO_SOCKETS: svc.roSockets.join(' '), LAB_RW: svc.rw.join(' '), LAB_TMPFS: svc.tmpfs.join(' '),
    LAB_GW: c.gateway, LAB_HOST_PID: String(hostPid),
    LAB_PEER_PID: String(peerC?.pid ?? 0), LAB_PEER_NAME: peer ?? '',
  };
  const exec = probes.filter((p) => p.kind === 'exec');
  let results;
  if (svc.standIn && svc.user) {
    // The stand-in image does not carry the real image's file ownership (a volume the real image
    // prepares for its user is root's here): functional probes run as root, attacks as the user.
    results = {
      ...await execProbes(exec.filter((p) => p.threat !== 'function'), c, env, ''),
      ...await execProbes(exec.filter((p) => p.threat === 'function'), c, env, '0'),
    };
  } else {
    results = await execProbes(exec, c, env, '');
  }
  // host checks last, the restart after everything else
  const host = probes.filter((p) => p.kind === 'host').sort((a, b) => Number(a.check === 'restart') - Number(b.check === 'restart'));
  for (const p of host) results[p.id] = await hostProbe(p, svc, c);
  return results;
}

function profileLevel(stack, level, svc) {
  const f = path.join(OUT, 'generated', stack.label.replace(/\//g, '-'), level, 'apparmor', `hardcompose.${stack.project}.${svc}`);
  try { return /; level (\w+);/.exec(readFileSync(f, 'utf8'))?.[1] ?? '?'; } catch { return '?'; }
}

async function runRound(stack, policy, hostPid) {
  const t = uptime();
  const err = await up(stack, policy);
  const containers = await waitRunning(stack);
  const round = {policy, error: err, seconds: 0, services: {}};
  await Promise.all(stack.services.map(async (svc, i) => {
    const c = containers[i];
    const level = policy.startsWith('hardcompose-') ? profileLevel(stack, policy.slice(12), svc.name) : undefined;
    if (!c || !c.running) {
      round.services[svc.name] = {container: c && {apparmor: c.apparmor, attr: c.attr, level}, error: err ?? `container not running (exit ${c?.exitCode})`, results: {}};
      return;
    }
    const results = await probeService(stack, svc, c, containers, hostPid);
    round.services[svc.name] = {container: {apparmor: c.apparmor, attr: c.attr, dockerExec: c.dockerExecLabel, level}, results};
  }));
  await down(stack, policy);
  round.seconds = Math.round(uptime() - t);
  const n = Object.values(round.services).reduce((a, s) => a + Object.keys(s.results).length, 0);
  say(`${stack.label} [${policy}]: ${n} probes in ${round.seconds}s${err ? ` (error: ${err.split('\n')[0].slice(0, 200)})` : ''}`);
  return round;
}

// ----------------------------------------------------------------------------------- learn

/**
 * The learn round trip (issue #9) on lab/learn, one application at the strict level whose cache
 * in /var/cache/app nothing in its compose file declares:
 *   enforce-before  hardcompose up -d             the cache is denied (the lab has teeth)
 *   complain        hardcompose up -d --mode complain; the same operations, the kernel logs them
 *   learn           hardcompose learn --from <the complain run's kernel log> [--json | --write]
 *   enforce-after   hardcompose up -d             the cache works, the attacks stay denied
 * The operations run in the main process's label, like the probes. The attacks are what an
 * intruder would do during the complain run; learn must report them, not propose them.
 */
const LEARN_OPS = [
  {id: 'app-cache', threat: 'function', script: 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "entry $i" > /var/cache/app/entry-$i || exit 1; done; cat /var/cache/app/entry-12'},
  {id: 'write-shadow', threat: 'data', script: "echo 'root:$6$lab$intruder:19000:0:99999:7:::' > /etc/shadow && head -c 12 /etc/shadow"},
  {id: 'exec-dropped', threat: 'escape', script: 'mkdir -p /tmp/lab-dropped && cp /bin/busybox /tmp/lab-dropped/echo && /tmp/lab-dropped/echo ran'},
  // a silent `deny` rule (deny network inet raw): not logged, so learn never sees it
  {id: 'raw-socket', threat: 'lateral', script: 'traceroute -n -m 1 -q 1 -w 1 127.0.0.1'},
];
const LEARN_EXPECT = {
  'enforce-before': {'app-cache': 'denied', 'write-shadow': 'denied', 'exec-dropped': 'denied', 'raw-socket': 'denied'},
  // Complain mode logs and allows what the profile does not allow, and (kernel 6.1) what its
  // `audit deny` rules forbid: the dropped binary runs. Only silent `deny` rules still block.
  complain: {'app-cache': 'allowed', 'write-shadow': 'allowed', 'exec-dropped': 'allowed', 'raw-socket': 'denied'},
  'enforce-after': {'app-cache': 'allowed', 'write-shadow': 'denied', 'exec-dropped': 'denied', 'raw-socket': 'denied'},
};

function kmsg(text) {
  try { writeFileSync('/dev/kmsg', `${text}\n`); } catch { /* no /dev/kmsg: the window is then the whole log */ }
}

async function learnRoundTrip(stack) {
  const res = {stack: stack.label, project: stack.project, expect: LEARN_EXPECT, steps: [], outcomes: {}, labels: {}, problems: []};
  const svc = stack.services[0];
  const keep = path.join(OUT, 'generated', 'lab-learn');
  rmSync(keep, {recursive: true, force: true});
  mkdirSync(keep, {recursive: true});
  const profile = path.join(stack.dir, 'hardcompose/apparmor', `hardcompose.${stack.project}.${svc.name}`);
  const hc = async (step, args) => {
    const r = await run(HC[0], [...HC.slice(1), ...args], {cwd: stack.dir, timeoutMs: 600_000});
    res.steps.push({step, command: `hardcompose ${args.join(' ')}`, status: r.status, output: tail(`${r.stdout}${r.stderr}`.trim(), 1500)});
    if (r.status !== 0) throw new Error(`${step}: hardcompose ${args.join(' ')} exited ${r.status}: ${tail(r.stderr + r.stdout, 800)}`);
    return r;
  };
  const phase = async (step, upArgs) => {
    await hc(step, ['up', '-d', ...upArgs]);
    cpSync(profile, path.join(keep, `${step}.apparmor`));
    const [c] = await waitRunning(stack);
    if (!c?.running) throw new Error(`${step}: the container is not running (exit ${c?.exitCode})`);
    res.labels[step] = c.attr;
    const got = await execProbes(LEARN_OPS, c, {}, '');
    res.outcomes[step] = Object.fromEntries(LEARN_OPS.map((p) => [p.id, {outcome: got[p.id].outcome, detail: `${got[p.id].errno}: ${got[p.id].detail}`}]));
    await hc(step, ['down', '-t', '0']);
  };
  try {
    await phase('enforce-before', []);
    kmsg('hardcompose-lab: learn complain run begins');
    await phase('complain', ['--mode', 'complain']);
    kmsg('hardcompose-lab: learn complain run ends');
    const lines = runSync('dmesg', []).stdout.split('\n');
    const from = lines.findLastIndex((l) => l.includes('hardcompose-lab: learn complain run begins'));
    const to = lines.findLastIndex((l) => l.includes('hardcompose-lab: learn complain run ends'));
    const window = lines.slice(from + 1, to > from ? to : lines.length).filter((l) => /apparmor=/.test(l));
    const log = path.join(OUT, 'learn-complain.log');
    writeFileSync(log, `${window.join('\n')}\n`);
    res.complainLogLines = window.length;
    const proposed = JSON.parse((await hc('learn', ['learn', '--from', log, '--json'])).stdout);
    res.learn = {suggestions: proposed.suggestions.map((x) => ({service: x.service, category: x.category, value: x.value, evidence: x.evidence})),
      findings: proposed.findings.map((f) => ({service: f.service, code: f.code, message: f.message, evidence: f.evidence})), counts: proposed.counts};
    await hc('learn --write', ['learn', '--from', log, '--write']);
    cpSync(path.join(stack.dir, 'hardcompose.allow.yml'), path.join(keep, 'hardcompose.allow.yml'));
    await phase('enforce-after', []);
    res.learnedRule = readFileSync(profile, 'utf8').split('\n').filter((l) => l.includes('/var/cache/app')).map((l) => l.trim());
  } catch (e) {
    res.error = String(e.message ?? e);
  } finally {
    await run(HC[0], [...HC.slice(1), 'down', '-v', '-t', '0'], {cwd: stack.dir, timeoutMs: 600_000});
  }
  // the verdict, here where the facts are; lab/report.js prints it and fails on problems
  if (res.error) res.problems.push(res.error);
  for (const [step, want] of Object.entries(LEARN_EXPECT)) {
    for (const [op, outcome] of Object.entries(want)) {
      const got = res.outcomes[step]?.[op];
      if (got && got.outcome !== outcome) res.problems.push(`${step} ${op}: expected ${outcome}, got ${got.outcome} (${got.detail})`);
    }
  }
  if (res.learn) {
    const s = res.learn.suggestions;
    if (!s.some((x) => x.category === 'write' && x.value === '/var/cache/app')) res.problems.push(`learn did not propose write /var/cache/app: ${JSON.stringify(s)}`);
    for (const x of s) if (x.category !== 'write' || x.value !== '/var/cache/app') res.problems.push(`learn proposed more than the cache: ${x.category} ${x.value}`);
    const f = res.learn.findings.map((x) => x.message).join('\n');
    if (!/write \/etc\/shadow is sensitive/.test(f)) res.problems.push('learn did not report the write to /etc/shadow as a finding');
    if (!/\/tmp\/lab-dropped/.test(f)) res.problems.push('learn did not report the exec of /tmp/lab-dropped as a finding');
  }
  if (res.outcomes['enforce-after'] && !res.learnedRule?.length) res.problems.push('the regenerated profile has no rule for /var/cache/app');
  res.ok = res.problems.length === 0;
  say(`learn round trip: ${res.ok ? 'as expected' : `${res.problems.length} problem(s): ${res.problems[0]}`}`);
  return res;
}

// ----------------------------------------------------------------------------------- overhead

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * The same file- and exec-heavy loop in three containers of one image that differ only in their
 * AppArmor policy (the strict lab service's profile, docker-default, unconfined), run
 * interleaved so that background load hits all three alike.
 */
async function measureOverhead(stacks) {
  const stack = stacks.find((s) => s.label === 'lab/stacks/strict') ?? stacks.find((s) => s.kind === 'lab');
  if (!stack) return {error: 'no lab stack'};
  const svc = stack.services[0];
  const profile = `hardcompose.${stack.project}.${svc.name}`;
  let loadedWith;
  if (hcHasUp) {
    // the declared level's profile back into the kernel, the way a user reloads after a reboot
    const l = await run(HC[0], [...HC.slice(1), 'load'], {cwd: stack.dir});
    if (l.status !== 0) return {error: `hardcompose load exited ${l.status}: ${tail(l.stderr, 500)}`};
    loadedWith = 'hardcompose load';
    hcPath.load = 'hardcompose load (before the overhead measurement)';
  } else {
    const g = await run(HC[0], [...HC.slice(1), 'generate'], {cwd: stack.dir});
    const l = await run('apparmor_parser', ['-r', '-W', path.join(stack.dir, 'hardcompose/apparmor', profile)]);
    if (g.status !== 0 || l.status !== 0) return {error: `generate/apparmor_parser failed: ${tail(g.stderr + l.stderr, 500)}`};
    loadedWith = 'hardcompose generate + apparmor_parser -r -W';
  }
  const iterations = Number(params.benchIterations ?? 100);
  const runs = Number(params.benchRuns ?? 7);
  const policies = {hardcompose: profile, 'docker-default': 'docker-default', unconfined: 'unconfined'};
  const ids = {};
  for (const [k, p] of Object.entries(policies)) {
    const name = `lab-bench-${k}`;
    await run('docker', ['rm', '-f', name]);
    const r = await run('docker', ['run', '-d', '--name', name, '--security-opt', `apparmor=${p}`, '--tmpfs', '/cache', IMAGE, 'sleep', '1000000']);
    if (r.status !== 0) return {error: `docker run ${name}: ${r.stderr}`};
    ids[k] = r.stdout.trim();
  }
  const loop = `i=0; read a _ < /proc/uptime
while [ $i -lt ${iterations} ]; do
  cat /etc/passwd /etc/group > /tmp/bench.$((i % 8))
  ls -l /tmp /cache /bin/busybox > /cache/ls.out
  i=$((i + 1))
done
read b _ < /proc/uptime; echo "$a $b"`;
  const times = Object.fromEntries(Object.keys(policies).map((k) => [k, []]));
  const errors = [];
  for (let r = 0; r < runs; r++) {
    for (const k of Object.keys(policies)) {
      const x = await run('docker', ['exec', ids[k], 'sh', '-c', loop], {timeoutMs: 300_000});
      const [a, b] = x.stdout.trim().split(' ').map(Number);
      if (x.status === 0 && Number.isFinite(a) && Number.isFinite(b)) times[k].push(Math.round((b - a) * 1000));
      else errors.push(`${k}: exit ${x.status} ${tail(x.stderr, 200)}`);
    }
  }
  for (const k of Object.keys(policies)) await run('docker', ['rm', '-f', `lab-bench-${k}`]);
  const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.length ? median(v) : null]));
  const min = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.length ? Math.min(...v) : null]));
  const pct = (k) => (med[k] != null && med.unconfined ? Math.round(((med[k] - med.unconfined) / med.unconfined) * 1000) / 10 : null);
  return {
    container: `${stack.label} service ${svc.name} (image ${IMAGE})`,
    profile, level: stack.level, loadedWith,
    loop: `${iterations} iterations of: cat two files into /tmp; ls -l three paths into a tmpfs (2 fork+exec and about 10 opens each)`,
    runs, ms: times, medianMs: med, minMs: min,
    percent: pct('hardcompose'),
    percentDockerDefault: pct('docker-default'),
    percentOfMinimum: min.hardcompose != null && min.unconfined ? Math.round(((min.hardcompose - min.unconfined) / min.unconfined) * 1000) / 10 : null,
    errors,
  };
}

// ----------------------------------------------------------------------------------- main

async function main() {
  mkdirSync(WORK, {recursive: true});
  const report = {
    kernel: runSync('uname', ['-r']).stdout.trim(),
    kernelVersion: runSync('uname', ['-v']).stdout.trim(),
    apparmor: readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y' ? 'enabled' : 'disabled',
    lsm: existsSync('/sys/kernel/security/lsm') ? readFileSync('/sys/kernel/security/lsm', 'utf8').trim() : '',
    docker: runSync('docker', ['version', '--format', '{{.Server.Version}}']).stdout.trim(),
    compose: runSync('docker', ['compose', 'version', '--short']).stdout.trim(),
    node: process.version,
    hardcompose: runSync(HC[0], [...HC.slice(1), '--version']).stdout.trim(),
    budgetSec,
    rounds: ROUNDS,
    stacks: [],
    results: [],
    overhead: null,
    timings: {},
    notes: [],
  };
  say(`${report.hardcompose}: ${hcHasUp ? 'up/down/load present' : '`up` not present (issue #6): generate + apparmor_parser + docker compose'}`);

  let t = uptime();
  const stacks = discoverStacks();
  // the learn round trip's stack: not a probe-round stack (lab/learn, not lab/stacks)
  const learnSrc = path.join(REPO, 'lab/learn');
  const learnStack = existsSync(path.join(learnSrc, 'compose.yaml')) && (!Array.isArray(params.stacks) || params.stacks.includes('lab/learn'))
    ? {label: 'lab/learn', kind: 'learn', src: learnSrc, dir: path.join(WORK, 'stacks', 'lab-learn'), files: ['compose.yaml']} : null;
  await Promise.all([...stacks, ...(learnStack ? [learnStack] : [])].map((s) => loadStack(s)));
  for (const s of stacks.filter((x) => x.backend !== 'apparmor')) {
    report.notes.push(`${s.label}: not run, its backend is ${s.backend} (x-hardcompose.backend); this lab enforces AppArmor`);
    say(`${s.label}: backend ${s.backend}, not run`);
  }
  stacks.splice(0, stacks.length, ...stacks.filter((x) => x.backend === 'apparmor'));
  await buildImages([...new Set(stacks.flatMap((s) => s.healthchecks))]);
  for (const s of stacks) for (const svc of s.services) if (svc.standIn) await run('docker', ['tag', STAND_IN, svc.image]);
  report.timings.setup = Math.round(uptime() - t);
  say(`stacks: ${stacks.map((s) => `${s.label} (${s.services.length}, ${s.level})`).join(', ')}`);

  // a host process with a secret in its environment, for the pid: host probes
  const victim = spawn('sleep', ['1000000'], {env: {PATH: process.env.PATH, LAB_HOST_SECRET: 'lab-host-secret'}, detached: true, stdio: 'ignore'});
  victim.unref();

  // Work in order of importance, so that a short budget still yields the main evidence:
  // hardcompose at the declared level everywhere, then unconfined (do the probes have teeth? does
  // the function work at all?), then docker-default, then the other level (lab stacks only; the
  // examples' other-level column says "not run").
  // The cost of confinement first, so that a short budget never loses it.
  t = uptime();
  say('measuring the cost of confinement');
  report.overhead = await measureOverhead(stacks);
  report.timings.overhead = Math.round(uptime() - t);
  if (report.overhead?.error) say(`overhead: ${report.overhead.error}`);
  else say(`overhead: ${report.overhead.percent}% (median of ${report.overhead.runs} runs)`);

  // Then work in order of importance, so that a short budget still yields the main evidence:
  // the lab stacks under hardcompose (declared level), docker-default and unconfined; the
  // examples under hardcompose and unconfined (does the function work at all with the stand-in
  // image?); the lab stacks at their other level; last the examples under docker-default.
  const rounds = new Map(stacks.map((s) => [s.label, {}]));
  const other = (l) => (l === 'strict' ? 'baseline' : 'strict');
  const lab = stacks.filter((s) => s.kind === 'lab');
  const examples = stacks.filter((s) => s.kind !== 'lab');
  const tasks = [
    ...lab.map((stack) => ({stack, policy: `hardcompose-${stack.level}`})),
    ...(learnStack ? [{stack: learnStack, policy: 'learn'}] : []),
    ...lab.map((stack) => ({stack, policy: 'docker-default'})),
    ...lab.map((stack) => ({stack, policy: 'unconfined'})),
    ...examples.map((stack) => ({stack, policy: `hardcompose-${stack.level}`})),
    ...examples.map((stack) => ({stack, policy: 'unconfined'})),
    ...lab.map((stack) => ({stack, policy: `hardcompose-${other(stack.level)}`})),
    ...examples.map((stack) => ({stack, policy: 'docker-default'})),
    ...(params.allLevels ? examples.map((stack) => ({stack, policy: `hardcompose-${other(stack.level)}`})) : []),
  ];
  t = uptime();
  await schedule(tasks, Number(params.parallel ?? 3), async ({stack, policy}) => {
    if (policy === 'learn') report.learn = await learnRoundTrip(stack);
    else rounds.get(stack.label)[policy] = await runRound(stack, policy, victim.pid);
  }, ({stack, policy}, left) => {
    if (policy === 'learn') report.learn = {skipped: `${Math.round(left)}s of the guest's budget left`};
    report.notes.push(`${stack.label} [${policy}] not run: ${Math.round(left)}s of the guest's budget left`);
    say(`skipping ${stack.label} [${policy}]: ${Math.round(left)}s of budget left`);
  });
  report.timings.rounds = Math.round(uptime() - t);
  try { process.kill(victim.pid); } catch { /* gone */ }

  // results: one row per stack, service and probe, one column per policy
  for (const s of stacks) {
    const r = rounds.get(s.label);
    report.stacks.push({
      example: s.label, project: s.project, level: s.level, files: s.files,
      services: s.services.map((v) => ({name: v.name, image: v.image, standIn: v.standIn, user: v.user || undefined, level: v.level, facts: v.facts})),
      rounds: Object.fromEntries(Object.entries(r).map(([p, x]) => [p, {
        error: x.error ?? null, seconds: x.seconds,
        containers: Object.fromEntries(Object.entries(x.services ?? {}).map(([n, v]) => [n, v.container])),
        errors: Object.fromEntries(Object.entries(x.services ?? {}).filter(([, v]) => v.error).map(([n, v]) => [n, v.error])),
      }])),
    });
    for (const svc of s.services) {
      for (const p of applicableProbes({...svc.facts, level: svc.level})) {
        const profiles = {};
        const detail = {};
        for (const policy of ROUNDS) {
          // A hardcompose column holds the round in which the service's profile really had that
          // level: a service's own x-hardcompose.level wins over --level, so both rounds may run
          // it at the same level (then the other column says "not run").
          let from = policy;
          if (policy.startsWith('hardcompose-')) {
            const want = policy.slice('hardcompose-'.length);
            const levelIn = (q) => r[q]?.services?.[svc.name]?.container?.level;
            const candidates = [policy, ...ROUNDS.filter((q) => q.startsWith('hardcompose-') && q !== policy)];
            from = candidates.find((q) => levelIn(q) === want) ?? (levelIn(policy) === '?' || levelIn(policy) === undefined ? policy : null);
          }
          const x = from ? r[from]?.services?.[svc.name] : undefined;
          const res = x?.results?.[p.id];
          profiles[policy] = res ? res.outcome : from && r[from] ? 'error' : 'not run';
          detail[policy] = res ? `${res.errno}: ${res.detail}${from !== policy ? ` (from the ${from} round: the service pins its level)` : ''}`
            : !from ? `the service pins x-hardcompose.level ${svc.level}` : x?.error ?? r[from]?.error ?? 'round not run';
        }
        const row = {
          example: s.label, service: svc.name, level: svc.level, probe: p.id, threat: p.threat, expect: p.expect,
          profiles: {hardcompose: profiles[`hardcompose-${svc.level}`], ...profiles}, detail,
        };
        row.verdict = verdict(p.expect, row.profiles, p);
        if (row.verdict === 'known-gap') row.known = p.known;
        row.ok = row.verdict !== 'FAIL';
        report.results.push(row);
      }
    }
  }
  report.hardcomposePath = hcPath;
  report.probeCount = {attack: PROBES.filter((p) => p.threat !== 'function').length, function: PROBES.filter((p) => p.threat === 'function').length};

  const log = runSync('dmesg', []).stdout;
  writeFileSync(path.join(OUT, 'dmesg.log'), log);
  writeFileSync(path.join(OUT, 'apparmor.log'), `${log.split('\n').filter((l) => /apparmor=/.test(l)).join('\n')}\n`);
  report.timings.total = Math.round(elapsed());
  writeFileSync(path.join(OUT, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const bad = report.results.filter((x) => !x.ok).length;
  say(`report: ${report.results.length} results, ${bad} not as expected; written to the out share`);
}

main().catch((e) => {
  say(`driver failed: ${e.stack ?? e}`);
  try { writeFileSync(path.join(OUT, 'report.json'), `${JSON.stringify({error: String(e.stack ?? e)}, null, 2)}\n`); } catch { /* share gone */ }
  process.exit(1);
});
