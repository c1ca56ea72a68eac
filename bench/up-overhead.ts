/**
 * What `hardcompose up -d` adds over `docker compose up -d` when nothing changed (the target of
 * issue #6: under 0.3 s of wall time). Needs a running engine and the test image
 * (scripts/dockerd.sh start). Runs the two alternately, after warm-up, and prints the median
 * wall time of each, the CPU time hardcompose itself used (user + system of node, from
 * /usr/bin/time when available), and the difference.
 *
 *   npm run build && node dist/bench/up-overhead.js [runs = 15]
 *   HARDCOMPOSE_BENCH_CLI=/path/to/bin/run.js node dist/bench/up-overhead.js
 */
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** HARDCOMPOSE_BENCH_CLI: another entry point to measure (e.g. a patched copy of the build). */
const cli = process.env.HARDCOMPOSE_BENCH_CLI ?? path.join(root, 'bin/run.js');
const runs = Number(process.argv[2] ?? 15);

const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'hc-bench-')), 'hcbench');
cpSync(path.join(root, 'test/fixtures/e2e/foreground'), dir, {recursive: true});

function run(argv: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8'});
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const hcArgv = [process.execPath, '--', cli, 'up', '-d', '--allow-unconfined'];
try {
  run(hcArgv); // generate and start once
  const composeArgv = ['docker', 'compose', '-f', path.join(dir, 'compose.yaml'), '-f', path.join(dir, 'hardcompose/overlay.yml'), 'up', '-d'];
  for (let i = 0; i < 3; i++) {
    run(hcArgv);
    run(composeArgv);
  }
  const hc: number[] = [];
  const dc: number[] = [];
  for (let i = 0; i < runs; i++) {
    hc.push(run(hcArgv));
    dc.push(run(composeArgv));
  }
  let cpu = '';
  if (existsSync('/usr/bin/time')) {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = spawnSync('/usr/bin/time', ['-f', '%U %S', ...hcArgv], {cwd: dir, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe']});
      const m = /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr);
      if (m) samples.push((Number(m[1]) + Number(m[2])) * 1000);
    }
    const c = spawnSync('/usr/bin/time', ['-f', '%U %S', ...composeArgv], {cwd: dir, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe']});
    const m = /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(c.stderr);
    cpu = `CPU (user+sys, incl. children): hardcompose up ${median(samples).toFixed(0)} ms, docker compose up ${m ? ((Number(m[1]) + Number(m[2])) * 1000).toFixed(0) : '?'} ms\n`;
  }
  const h = median(hc);
  const d = median(dc);
  process.stdout.write(
    `runs: ${runs} each, alternating, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} CPU(s)\n` +
      `docker compose up -d   median ${d.toFixed(0)} ms (min ${Math.min(...dc).toFixed(0)})\n` +
      `hardcompose up -d      median ${h.toFixed(0)} ms (min ${Math.min(...hc).toFixed(0)})\n` +
      `overhead               median ${(h - d).toFixed(0)} ms (min-to-min ${(Math.min(...hc) - Math.min(...dc)).toFixed(0)} ms)\n${cpu}`,
  );
} finally {
  spawnSync('docker', ['compose', '-f', path.join(dir, 'compose.yaml'), 'down', '-t', '1'], {cwd: dir, stdio: 'ignore'});
}
