/**
 * generate reads the policy's port contexts through libsemanage directly instead of running
 * `semanage port -l` (src/host/selinux.ts listPortsDirect, issue #8). The list must be the one
 * semanage prints, line for line, and anything unusual must fall back to running semanage.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {listPortsDirect, readPortTypes} from '../src/host/selinux.js';
import {parseSemanagePortList} from '../src/render/selinux/ports.js';
import {requireTools} from './helpers/tools.js';

test('the direct listing is semanage port -l without its heading, line for line', () => {
  if (!requireTools('ports direct', 'semanage')) return;
  const r = spawnSync('semanage', ['port', '-l'], {encoding: 'utf8'});
  if (r.status !== 0) {
    console.log(`  SKIP ports direct: semanage port -l failed here (${r.stderr.trim().split('\n')[0]})`);
    return;
  }
  const direct = listPortsDirect();
  assert.ok(direct, 'libsemanage answered');
  assert.is(direct, r.stdout.split('\n').slice(2).join('\n'));
  assert.equal(readPortTypes(), {ports: parseSemanagePortList(r.stdout), source: 'semanage'});
});

test('no semanage on PATH, or a semanage that is not a Python script: no direct listing', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hc-ports-'));
  assert.is(listPortsDirect({PATH: dir}), undefined);
  const fake = path.join(dir, 'semanage');
  writeFileSync(fake, '#!/bin/sh\necho "http_port_t tcp 80"\n');
  chmodSync(fake, 0o755);
  assert.is(listPortsDirect({PATH: dir}), undefined);
  assert.is(listPortsDirect({PATH: ''}), undefined);
});

test.run();
