/**
 * Ctrl-C (SIGINT) and SIGTERM during a foreground `hardcompose up`: the signal reaches Compose,
 * Compose stops the stack gracefully, hardcompose waits for it and returns Compose's own code,
 * measured by doing the same to plain `docker compose up`.
 *
 * Compose 2.26 sometimes panics with "close of closed channel" on SIGINT during `up` and exits 2
 * instead of 130 (docker/compose#11710, fixed by #11719 in 2.27). Whichever code Compose chose in
 * a run, hardcompose must return that one: when the panic shows in the output the expected code
 * is 2, otherwise the code plain Compose returns without the panic.
 */
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {CLI_ARGV, cleanEnv, cleanup, containers, makeProject, requireEngine, sleep, start, waitFor, type Project} from './helpers/e2e.js';
import {repoRoot} from './helpers/compose-real.js';
import {requireTools} from './helpers/tools.js';
import {findCompose} from '../src/host/docker.js';

const PANIC = /panic: close of closed channel/;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  panicked: boolean;
  /** Containers of the project still running the moment the process exited. */
  runningAtExit: string[];
  output: string;
}

/** Starts `argv` in the project, waits until its container runs, sends `sig` to that one process. */
async function interrupt(p: Project, argv: string[], sig: NodeJS.Signals): Promise<Outcome> {
  const proc = start(argv, p.dir, cleanEnv());
  const up = await waitFor(() => containers(p.name, true).length === 1 && /ready/.test(proc.output()), 60_000);
  if (!up) {
    proc.child.kill('SIGKILL');
    throw new Error(`the stack did not start:\n${proc.output()}`);
  }
  await sleep(300);
  proc.child.kill(sig);
  let runningAtExit: string[] = [];
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 60_000);
  const exit = await proc.exited;
  runningAtExit = containers(p.name, true);
  clearTimeout(timer);
  if (exit.signal === 'SIGKILL') throw new Error(`no exit within 60 s after ${sig}:\n${proc.output()}`);
  return {...exit, panicked: PANIC.test(proc.output()), runningAtExit, output: proc.output()};
}

async function reference(sig: NodeJS.Signals): Promise<Outcome> {
  // Plain Compose, a few times until it takes the path without the known panic.
  let last: Outcome | undefined;
  for (let i = 0; i < 3; i++) {
    const p = makeProject('foreground');
    try {
      last = await interrupt(p, ['docker', 'compose', 'up'], sig);
    } finally {
      cleanup(p);
    }
    if (!last.panicked) break;
  }
  return last!;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`${sig} during a foreground up: Compose stops the stack gracefully, hardcompose waits and returns Compose's code`, async () => {
    if (!requireEngine(`e2e ${sig}`)) return;
    const ref = await reference(sig);
    assert.equal(ref.runningAtExit, [], 'plain compose stopped its stack');
    const refCode = ref.panicked ? 128 + (sig === 'SIGINT' ? 2 : 15) : ref.code;

    const p = makeProject('foreground');
    try {
      const got = await interrupt(p, [...CLI_ARGV(), 'up', '--allow-unconfined'], sig);
      assert.is(got.signal, null, `hardcompose was killed by ${got.signal} instead of returning Compose's code:\n${got.output}`);
      const expected = got.panicked ? 2 : refCode;
      assert.is(got.code, expected, `exit code (plain compose: ${ref.code}${ref.panicked ? ', panicked' : ''}):\n${got.output}`);
      assert.match(got.output, /Gracefully stopping/, 'Compose received the signal');
      assert.equal(got.runningAtExit, [], 'the stack was stopped before hardcompose exited');
      assert.match(got.output, /Stopped/);
      assert.is(containers(p.name).length, 1, 'stopped, not removed (as Compose does on Ctrl-C)');
    } finally {
      cleanup(p);
    }
  });
}

/**
 * Ctrl-C typed in a terminal signals the whole foreground process group: Compose gets it from the
 * terminal, so hardcompose must not send it a second one (a second SIGINT makes Compose kill the
 * containers: "press Ctrl+C again to force"). With the plugin, the docker CLI in between ignores
 * signals on a terminal; a standalone docker-compose is hardcompose's direct child, which is where
 * a double signal would show.
 */
for (const how of ['plugin', 'standalone'] as const) {
  test(`Ctrl-C typed in a terminal (${how} Compose): one graceful stop, no forced kill, colours kept, Compose's code returned`, async () => {
    if (!requireEngine('e2e terminal Ctrl-C') || !requireTools('e2e terminal Ctrl-C', 'python3')) return;
    let env = cleanEnv();
    if (how === 'standalone') {
      const plugin = findCompose(process.env);
      if (!plugin.found || !plugin.compose.path) throw new Error('the compose plugin file was not found');
      const home = mkdtempSync(path.join(os.tmpdir(), 'hc-standalone-'));
      mkdirSync(path.join(home, 'bin'));
      symlinkSync(plugin.compose.path, path.join(home, 'bin/docker-compose'));
      env = cleanEnv({PATH: [path.join(home, 'bin'), '/usr/bin', '/bin'].join(':'), HOME: home, DOCKER_CONFIG: path.join(home, '.docker')});
      const lookup = findCompose(env);
      if (!lookup.found || lookup.compose.how !== 'standalone') {
        console.log(`  SKIP e2e terminal Ctrl-C (standalone): a system-wide plugin is found first (${JSON.stringify(lookup)})`);
        return;
      }
    }
    const p = makeProject('foreground');
    try {
      const helper = path.join(repoRoot(), 'test/fixtures/e2e/pty-ctrl-c.py');
      const python = spawnSync('sh', ['-c', 'command -v python3'], {encoding: 'utf8'}).stdout.trim();
      const r = spawnSync(python, [helper, p.dir, ...CLI_ARGV(), 'up', '--allow-unconfined'], {env, encoding: 'utf8', timeout: 180_000});
      assert.is(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as {typed: boolean; code: number; output: string};
      assert.ok(got.typed, `never saw "ready":\n${got.output}`);
      assert.is((got.output.match(/Gracefully stopping/g) ?? []).length, 1, got.output);
      assert.not.match(got.output, /Killing|Killed/, `no forced stop:\n${got.output}`);
      assert.match(got.output, /\u001b\[/, 'Compose saw a terminal: ANSI colours and progress');
      assert.is(got.code, PANIC.test(got.output) ? 2 : 130, got.output);
      assert.equal(containers(p.name, true), [], 'the stack was stopped');
    } finally {
      cleanup(p);
    }
  });
}

test.run();
