#!/usr/bin/env node
// Entry point: oclif reads the command list from package.json (and oclif.manifest.json when present).
import {execute} from '@oclif/core';

await execute({dir: import.meta.url});
