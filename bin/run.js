#!/usr/bin/env -S node --
// `--` ends node's own options: Node 20 otherwise takes `--env-file` anywhere on the command line
// as its own flag (it exits 9 when the file is missing, or loads it into process.env), which
// breaks `hardcompose … --env-file FILE`. Run as `node -- bin/run.js …` when calling node directly.
//
// A run lasts well under a second, and V8's optimising compiler (TurboFan) then costs more CPU
// than it saves: it compiles every function that turns hot for a few hundred milliseconds (the
// loaders, the planner, the renderer), on another thread, and most of that code has finished
// before the optimised version would pay off. Waiting sixteen times as long before optimising
// (V8's default interrupt budget is 67584) cut the CPU of generating 1000 services by a quarter
// (0.48 → 0.35 s) and 5000 by a sixth (1.26 → 1.03 s), and changes nothing at 10; only the
// really hot loops still get optimised. Measured against 4× and 32× and against no TurboFan at
// all (--max-opt=1, which loses at 5000): issue #8, README "Performance". The flag only moves the
// point where hot functions are optimised, not what they compute; it is set here, before any of
// hardcompose's code is loaded, because bin/run.js is also started as `node -- bin/run.js`.
import v8 from 'node:v8';
v8.setFlagsFromString('--interrupt-budget=1081344');

// Passthrough commands (up, down, run, …) parse their own argv, so they skip oclif's start-up
// (issue #8: `up` must add little over `docker compose up`); asking for help still goes to oclif.
// `generate` skips it too when its argv is plain flags oclif would parse the same way
// (src/cli/generate-main.ts); anything else, help and usage errors included, goes to oclif.
const [command, ...rest] = process.argv.slice(2);
const beforeDashes = rest.indexOf('--') < 0 ? rest : rest.slice(0, rest.indexOf('--'));
const fast = ['up', 'down', 'run', 'start', 'restart', 'create', 'ps', 'logs', 'exec', 'compose'];
let code;
if (fast.includes(command) && !beforeDashes.some((a) => a === '--help' || a === '-h')) {
  const {main} = await import('../dist/src/cli/passthrough-main.js');
  code = await main(command, rest);
} else if (command === 'generate') {
  const {fastGenerate} = await import('../dist/src/cli/generate-main.js');
  code = await fastGenerate(rest);
}
if (code !== undefined) process.exitCode = code;
else {
  const {execute} = await import('@oclif/core/execute');
  await execute({dir: import.meta.url});
}
