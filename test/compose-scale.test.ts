/**
 * Loading stays linear: a project of 300 services × 3 files, each service with 30 mounts and 10
 * ports (36 000 list items to canonicalise, merge and de-duplicate, plus extends), loads in a
 * few seconds of CPU. A quadratic step anywhere in the loader would take minutes here.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {loadProject} from '../src/compose/load.js';
import {cleanProjects, writeProject} from './helpers/compose-tmp.js';

const N = 300;
const MOUNTS = 30;

function service(i: number, layer: number): string {
  const head = layer === 0 ? (i === 0 ? 'image: x' : 'extends: s0') : 'user: "1"';
  const volumes = Array.from({length: MOUNTS}, (_, j) => `      - ./d${j}:/m${j}${layer ? '' : ':ro'}`).join('\n');
  const ports = Array.from({length: 10}, (_, j) => `      - "${10000 + i * 10 + j}:${j + 1}"`).join('\n');
  return `  s${i}:\n    ${head}\n    volumes:\n${volumes}\n    ports:\n${ports}\n    cap_add: [NET_ADMIN, SYS_TIME]\n    environment: {A: "${i}"}\n`;
}

test(`${N} services × 3 files load in linear time`, () => {
  const files: Record<string, string> = {};
  for (const layer of [0, 1, 2]) files[`f${layer}.yaml`] = `services:\n${Array.from({length: N}, (_, i) => service(i, layer)).join('')}`;
  const cwd = writeProject(files);
  const started = process.cpuUsage();
  const p = loadProject({files: Object.keys(files), cwd, env: {}, envFiles: [], profiles: []});
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  assert.is(Object.keys(p.model.services).length, N);
  assert.is(p.model.services.s7.volumes?.length, MOUNTS, 'mounts merged by target');
  assert.is(p.model.services.s7.volumes?.[0].read_only, undefined, 'the last layer wins');
  assert.is(p.model.services.s7.ports?.length, 20, 'its own 10 ports plus the 10 of the service it extends');
  assert.ok(ms < 8000, `took ${ms.toFixed(0)} ms of CPU`);
});

test.after(cleanProjects);
test.run();
