#!/usr/bin/env node
// Run uvu over the compiled tests, stream its output, and end with one line
//
//     N passed, N failed[, N skipped]
//
// parsed from uvu's Total / Passed / Skipped summary. Exits non-zero when a test failed, when
// uvu exited non-zero, when no summary was printed, or when no test ran.
//
// usage: node scripts/uvu-summary.js [dir = dist/test] [pattern = \.test\.js$]
//
// Compiled tests under dist/ whose TypeScript source is gone (a renamed or deleted test; tsc
// never removes outputs) are ignored, with a note, so stale tests cannot pass or fail a run.
//
// Environment (inherited by the tests, CI=true included):
//   HARDCOMPOSE_TEST_TIMEOUT  seconds before the whole run is killed (default 1800)
import {spawn} from 'node:child_process';
import {existsSync, readdirSync, statSync} from 'node:fs';
import {dirname, join, relative, resolve, sep} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? 'dist/test';
const pattern = process.argv[3] ?? '\\.test\\.js$';
const timeoutSec = Number(process.env.HARDCOMPOSE_TEST_TIMEOUT ?? 1800);

const note = (msg) => process.stdout.write(`uvu-summary: ${msg}\n`);
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function walk(d, out = []) {
  for (const name of readdirSync(d)) {
    const file = join(d, name);
    if (statSync(file).isDirectory()) walk(file, out);
    else out.push(file);
  }
  return out;
}

const absDir = resolve(dir);
if (!existsSync(absDir)) {
  note(`${dir} does not exist (run npm run build first)`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}

// dist/<x>.js -> <x>.ts (tsconfig: rootDir ".", outDir "dist")
const ignores = [];
const re = new RegExp(pattern, 'i');
const distRoot = join(root, 'dist') + sep;
for (const file of walk(absDir)) {
  const rel = relative(absDir, file);
  if (!re.test(rel) || !file.startsWith(distRoot)) continue;
  const stem = join(root, relative(distRoot, file)).replace(/\.js$/, '');
  if (!['.ts', '.tsx', '.mts'].some((ext) => existsSync(stem + ext))) {
    note(`ignoring ${relative(root, file)}: its source ${relative(root, stem)}.ts no longer exists`);
    ignores.push('-i', `^${escapeRe(rel.split(sep).join('/'))}$`);
  }
}

const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
const args = [uvu, dir, pattern, ...ignores];
if (!process.stdout.isTTY) args.push('--no-color');

// own process group, so a timeout can take down whatever the tests spawned too
const child = spawn(process.execPath, args, {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: process.env,
  detached: true,
});

let tail = '';
let lastChar = '\n';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const s = chunk.toString('utf8');
  if (s.length) lastChar = s[s.length - 1];
  tail = (tail + s).slice(-65536);
});

const killGroup = (sig) => {
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* already gone */
  }
};

let timedOut = false;
const timer =
  timeoutSec > 0
    ? setTimeout(() => {
        timedOut = true;
        process.stderr.write(`\nuvu-summary: tests still running after ${timeoutSec}s, killing them\n`);
        killGroup('SIGTERM');
        setTimeout(() => killGroup('SIGKILL'), 5000).unref();
      }, timeoutSec * 1000)
    : undefined;

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    interrupted = true;
    killGroup(sig);
    setTimeout(() => killGroup('SIGKILL'), 5000).unref();
  });
}

// A process the tests left behind can keep uvu's stdout open after uvu exited: give it a moment,
// then kill what is left of the group so the run ends.
child.on('exit', () => {
  setTimeout(() => {
    note('processes left behind by the tests still hold the output open; killing them');
    killGroup('SIGKILL');
  }, 3000).unref();
});

child.on('close', (code, signal) => {
  if (timer) clearTimeout(timer);
  if (interrupted || timedOut) killGroup('SIGKILL');
  if (lastChar !== '\n') process.stdout.write('\n');

  // eslint-disable-next-line no-control-regex
  const text = tail.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  const last = (label) => {
    const all = [...text.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)\\s*$`, 'gm'))];
    return all.length ? Number(all[all.length - 1][1]) : undefined;
  };
  const total = last('Total');
  const passed = last('Passed');
  const skipped = last('Skipped') ?? 0;

  const skipLines = (text.match(/^\W*SKIP\b/gm) ?? []).length;
  if (skipLines) note(`${skipLines} test(s) printed SKIP (a real tool is missing; they count as passed)`);

  if (total === undefined || passed === undefined) {
    note(`uvu printed no summary (${signal ? `signal ${signal}` : `exit code ${code}`}${timedOut ? ', timed out' : ''})`);
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  }

  const failed = Math.max(total - passed, 0);
  let ok = failed === 0 && code === 0 && !signal;
  if (signal || (code !== 0 && failed === 0)) {
    note(`uvu exited with ${signal ? `signal ${signal}` : `code ${code}`}${timedOut ? ' (timed out)' : ''}`);
  }
  if (total === 0) {
    note(`no tests ran (dir ${dir}, pattern ${pattern})`);
    ok = false;
  }
  process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(ok ? 0 : 1);
});
