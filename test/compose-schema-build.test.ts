/** The build-time compose validator (scripts/build-validator.js) must be the schema the loader means. */
import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {compileValidator, composeSchema, schemaHash} from '../src/compose/schema.js';
import {repoRoot} from './helpers/compose-real.js';

const built = path.join(repoRoot(), 'dist/src/compose/compose-validator.cjs');

test('build: the precompiled validator exists after npm run build and was made from the current schema', () => {
  if (!existsSync(built)) {
    if (process.env.CI === 'true') assert.unreachable('dist/src/compose/compose-validator.cjs missing: npm run build must run scripts/build-validator.js');
    console.log('  SKIP precompiled validator: run npm run build');
    return;
  }
  const mod = createRequire(import.meta.url)(built) as {schemaHash: string};
  assert.is(mod.schemaHash, schemaHash(composeSchema()), 'stale: rebuild with npm run build');
});

test('build: precompiled and runtime-compiled validators agree on valid and invalid files', () => {
  if (!existsSync(built)) return;
  const pre = createRequire(import.meta.url)(built).validate as (d: unknown) => boolean;
  const rt = compileValidator(composeSchema()).validate;
  const samples: unknown[] = [
    {services: {web: {image: 'nginx', ports: ['80:80'], volumes: [{type: 'bind', source: '.', target: '/x', bind: {selinux: 'z'}}]}}},
    {name: 'x', include: ['a.yaml'], services: {a: {image: 'a', develop: {}, gpus: 'all', use_api_socket: true}}},
    {services: {web: {image: 'nginx', portz: ['80']}}},
    {services: {web: {image: 'nginx', privileged: 'yes'}}},
    {services: {web: {image: 'nginx', volumes: [{type: 'weird', target: '/x'}]}}},
    {services: []},
  ];
  assert.equal(samples.map((s) => pre(s)), samples.map((s) => rt(s)));
  assert.equal(samples.map((s) => pre(s)), [true, true, false, false, false, false]);
});

test.run();
