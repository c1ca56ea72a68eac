/**
 * `npm run bench`: hardcompose against the real `docker compose` on synthetic projects of 10,
 * 100 and 1000 services (issue #8). Every figure is a median over several runs, each run one
 * process tree measured by GNU time (wall, user+system CPU, peak RSS). Prints a table with the
 * targets, and writes the figures as JSON.
 *
 *   npm run bench                      # full: 10/100/1000 services, 5 runs each
 *   npm run bench -- --smoke           # CI: 10 services, one run, so the benchmark cannot rot
 *   npm run bench -- --json FILE       # where the JSON goes (default bench-results.json)
 *
 * Targets (ratios on the same machine in the same run):
 *   generate, 1000 services   ≤ 0.5 × the CPU of docker compose config on the same project
 *   hardcompose --version     ≤ 2.5 × node -e 0
 *   up -d with nothing changed ≤ 0.3 s of wall time over docker compose up -d
 *   time and memory linear in the number of services (100 → 1000 within 10× ± 30 %)
 */
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'bin/run.js');
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : path.join(root, 'bench-results.json');
const sizes = smoke ? [10] : [10, 100, 1000];
const runs = smoke ? 1 : Number(process.env.HARDCOMPOSE_BENCH_RUNS ?? 5);
const GNU_TIME = '/usr/bin/time';

interface Sample {
  wall: number;
  cpu: number;
  rssMb: number;
}
interface Figure extends Sample {
  name: string;
  services?: number;
}

/** One measured run of `argv` in `cwd` (GNU time: elapsed, user, system, max RSS in KiB). */
function measure(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Sample {
  const haveTime = existsSync(GNU_TIME);
  const t0 = process.hrtime.bigint();
  const full = haveTime ? [GNU_TIME, '-f', '@@%e %U %S %M', ...argv] : argv;
  const r = spawnSync(full[0], full.slice(1), {cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024});
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  if (!haveTime) return {wall, cpu: NaN, rssMb: NaN};
  const m = /@@([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no GNU time line in: ${r.stderr.slice(-300)}`);
  return {wall, cpu: Number(m[2]) + Number(m[3]), rssMb: Number(m[4]) / 1024};
}

function median(name: string, sample: (i: number) => Sample, services?: number): Figure {
  const xs = Array.from({length: runs}, (_, i) => sample(i));
  const mid = (k: keyof Sample) => [...xs.map((x) => x[k])].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {name, services, wall: mid('wall'), cpu: mid('cpu'), rssMb: mid('rssMb')};
}

/** A synthetic project: ports, binds, named volumes, tmpfs, cap_add/cap_drop, interpolation. */
export function syntheticProject(n: number): string {
  const lines = ['name: bench', 'services:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  svc${i}:`, `    image: \${REGISTRY:-example.org}/app${i % 7}:\${TAG:-1.0}`);
    if (i % 2 === 0) lines.push(`    ports: ["${20000 + i}:80", "127.0.0.1:${30000 + i}:443/tcp"]`);
    lines.push('    volumes:', `      - ./conf/svc${i}:/etc/app:ro`, `      - data${i % 50}:/var/lib/app`, `      - \${DATA_ROOT:-./data}/svc${i}:/srv/data`);
    if (i % 3 === 0) lines.push('    tmpfs: ["/run/app:size=16m"]');
    if (i % 4 === 0) lines.push('    cap_drop: [ALL]', '    cap_add: [NET_BIND_SERVICE, CAP_CHOWN]');
    if (i % 5 === 0) lines.push('    read_only: true');
    lines.push('    environment:', `      MODE: \${MODE:-production}`, `      INDEX: "${i}"`);
  }
  lines.push('volumes:');
  for (let v = 0; v < Math.min(n, 50); v++) lines.push(`  data${v}:`);
  return `${lines.join('\n')}\n`;
}

const fmt = (x: number, d = 3) => (Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const figures: Figure[] = [];
const checks: Array<{target: string; value: string; ok: boolean | null}> = [];
const work = mkdtempSync(path.join(os.tmpdir(), 'hc-bench-'));
const node = process.execPath;

try {
  for (const n of sizes) {
    const dir = path.join(work, `p${n}`);
    mkdirSync(dir, {recursive: true});
    writeFileSync(path.join(dir, 'compose.yaml'), syntheticProject(n));
    writeFileSync(path.join(dir, '.env'), 'TAG=2.1\nMODE=staging\n');
    for (const backend of ['apparmor', 'selinux']) {
      figures.push(median(`hardcompose generate --backend ${backend}`, (i) => {
        rmSync(path.join(dir, `out-${backend}-${i}`), {recursive: true, force: true});
        return measure([node, '--', cli, 'generate', '--backend', backend, '--out', `out-${backend}-${i}`], dir);
      }, n));
    }
    figures.push(median('hardcompose config', () => measure([node, '--', cli, 'config', '--format', 'json'], dir), n));
    figures.push(median('docker compose config', () => measure(['docker', 'compose', 'config', '--format', 'json'], dir), n));
  }
  figures.push(median('node -e 0', () => measure([node, '-e', '0'], root)));
  figures.push(median('hardcompose --version', () => measure([node, '--', cli, '--version'], root)));

  const engine = spawnSync('docker', ['info'], {encoding: 'utf8'}).status === 0;
  const fixture = path.join(root, 'test/fixtures/e2e/foreground');
  if (engine && existsSync(fixture)) {
    const dir = path.join(work, 'hcbench');
    cpSync(fixture, dir, {recursive: true});
    const hc = [node, '--', cli, 'up', '-d', '--allow-unconfined'];
    try {
      measure(hc, dir);
      const dc = ['docker', 'compose', '-f', 'compose.yaml', '-f', 'hardcompose/overlay.yml', 'up', '-d'];
      figures.push(median('docker compose up -d (nothing changed)', () => measure(dc, dir)));
      figures.push(median('hardcompose up -d (nothing changed)', () => measure(hc, dir)));
    } finally {
      spawnSync('docker', ['compose', '-f', 'compose.yaml', '-f', 'hardcompose/overlay.yml', 'down', '-v', '-t', '0'], {cwd: dir});
    }
  }

  const get = (name: string, n?: number) => figures.find((f) => f.name === name && f.services === n);
  const big = sizes[sizes.length - 1];
  const gen = get('hardcompose generate --backend apparmor', big);
  const dcc = get('docker compose config', big);
  if (gen && dcc) checks.push({target: `generate ${big} services ≤ 0.5× docker compose config CPU`, value: `${fmt(gen.cpu / dcc.cpu, 2)}×`, ok: smoke ? null : gen.cpu / dcc.cpu <= 0.5});
  const v = get('hardcompose --version');
  const n0 = get('node -e 0');
  if (v && n0) checks.push({target: 'hardcompose --version ≤ 2.5× node -e 0 (wall)', value: `${fmt(v.wall / n0.wall, 2)}×`, ok: smoke ? null : v.wall / n0.wall <= 2.5});
  const up = get('hardcompose up -d (nothing changed)');
  const dup = get('docker compose up -d (nothing changed)');
  if (up && dup) checks.push({target: 'up -d, nothing changed: ≤ 0.3 s over compose', value: `+${fmt(up.wall - dup.wall)} s`, ok: smoke ? null : up.wall - dup.wall <= 0.3});
  else checks.push({target: 'up -d, nothing changed: ≤ 0.3 s over compose', value: 'not measured (no Docker engine)', ok: null});
  if (!smoke) {
    for (const name of ['hardcompose generate --backend apparmor', 'hardcompose generate --backend selinux', 'hardcompose config']) {
      const a = get(name, 100);
      const b = get(name, 1000);
      const n = get('node -e 0');
      if (!a || !b || !n) continue;
      // Subtract the fixed start-up cost (node itself) before comparing growth.
      const t = (b.cpu - n.cpu) / (a.cpu - n.cpu);
      const m = (b.rssMb - n.rssMb) / Math.max(1, a.rssMb - n.rssMb);
      checks.push({target: `${name}: CPU 100→1000 services linear (≤ 13×)`, value: `${fmt(t, 1)}×`, ok: t <= 13});
      checks.push({target: `${name}: memory 100→1000 services linear (≤ 13×)`, value: `${fmt(m, 1)}×`, ok: m <= 13});
    }
  }

  const rows = [['measurement', 'services', 'wall s', 'cpu s', 'peak MB'], ...figures.map((f) => [f.name, f.services === undefined ? '' : String(f.services), fmt(f.wall), fmt(f.cpu), fmt(f.rssMb, 1)])];
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`hardcompose bench (${smoke ? 'smoke: one run' : `median of ${runs} runs`}, ${os.cpus().length} cpu, node ${process.version})`);
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '));
  console.log('');
  for (const c of checks) console.log(`${c.ok === null ? '  -  ' : c.ok ? ' ok  ' : 'MISS '} ${c.target}: ${c.value}`);
  writeFileSync(jsonOut, `${JSON.stringify({smoke, runs, node: process.version, cpus: os.cpus().length, figures, checks}, null, 2)}\n`);
  console.log(`\nfigures written to ${jsonOut}`);
} finally {
  rmSync(work, {recursive: true, force: true});
}
