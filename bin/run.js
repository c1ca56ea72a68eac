#!/usr/bin/env -S node --
// `--` ends node's own options: Node 20 otherwise takes `--env-file` anywhere on the command line
// as its own flag (it exits 9 when the file is missing, or loads it into process.env), which
// breaks `hardcompose … --env-file FILE`. Run as `node -- bin/run.js …` when calling node directly.
// Entry point: oclif reads the command list from package.json (and oclif.manifest.json when present).
import {execute} from '@oclif/core';

await execute({dir: import.meta.url});
