#!/usr/bin/env -S node --
// `--` ends node's own options: Node 20 otherwise takes `--env-file` anywhere on the command line
// as its own flag (it exits 9 when the file is missing, or loads it into process.env), which
// breaks `hardcompose … --env-file FILE`. Run as `node -- bin/run.js …` when calling node directly.
//
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
