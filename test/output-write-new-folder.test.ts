/**
 * A new output folder is written beside its final place and renamed into it (src/output/write.ts
 * createFolder, issue #8): it appears whole or not at all, and nothing is left beside it.
 */
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {writeArtifacts} from '../src/output/write.js';
import {conflictingWrite, tempProject} from './helpers/review.js';

const ARTIFACTS = [
  {path: 'apparmor/hardcompose.p.a', content: 'a\n', kind: 'apparmor' as const},
  {path: 'apparmor/hardcompose.p.b', content: 'b\n', kind: 'apparmor' as const},
  {path: 'overlay.yml', content: 'services: {}\n', kind: 'overlay' as const},
  {path: 'lock.json', content: '{}\n', kind: 'lock' as const},
];

test('a new folder (and its missing parents) holds every file, nothing is left beside it', async () => {
  const root = tempProject({'keep.txt': 'x\n'});
  const out = path.join(root, 'deep/er/hardcompose');
  const res = await writeArtifacts(out, ARTIFACTS, {force: false});
  assert.equal(res.written, ['apparmor/hardcompose.p.a', 'apparmor/hardcompose.p.b', 'overlay.yml', 'lock.json']);
  for (const a of ARTIFACTS) assert.is(readFileSync(path.join(out, a.path), 'utf8'), a.content);
  assert.equal(readdirSync(path.dirname(out)), ['hardcompose'], 'no staging folder left');
  assert.is(statSync(path.join(out, 'lock.json')).mode & 0o777, 0o644);
});

test('a failure while writing a new folder leaves neither the folder, its staging copy, nor the parents made for it', async () => {
  const root = tempProject({'keep.txt': 'x\n'});
  const out = path.join(root, 'made/out');
  const err = await conflictingWrite(out);
  assert.instance(err, UserError);
  assert.is((err as UserError).code, 'E_OUTPUT_WRITE');
  assert.not.ok(existsSync(path.join(root, 'made')), 'the parent made for the folder is gone');
  assert.equal(readdirSync(root), ['keep.txt']);
});

test.run();
