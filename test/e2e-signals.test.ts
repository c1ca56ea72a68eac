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
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {CLI_ARGV, cleanEnv, cleanup, containers, makeProject, requireEngine, sleep, start, waitFor, type Project} from './helpers/e2e.js';

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

test.run();
