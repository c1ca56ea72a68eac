/**
 * cleanPath returns already-clean absolute paths as they are instead of normalising them
 * (issue #8); every path must still come out exactly as Go's path.Clean (path.posix.normalize
 * without a trailing slash) would make it.
 */
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {cleanPath, resolveBindSource} from '../src/compose/normalize/volumes.js';
import {containerPath} from '../src/plan/paths.js';

function reference(p: string): string {
  if (p === '') return '.';
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

const SEGMENTS = ['', '.', '..', 'a', '.b', '..c', '...', 'd.', 'e..', 'f\\g', 'h i'];

function* paths(): Generator<string> {
  for (const lead of ['', '/', '//']) {
    for (const a of SEGMENTS) {
      for (const b of SEGMENTS) {
        for (const trail of ['', '/', '/.', '/..']) yield `${lead}${a}/${b}${trail}`;
        yield `${lead}${a}${b}`;
      }
    }
  }
}

test('cleanPath equals path.posix.normalize without the trailing slash, for every combination of segments', () => {
  let n = 0;
  for (const p of paths()) {
    assert.is(cleanPath(p), reference(p), JSON.stringify(p));
    n++;
  }
  assert.ok(n > 1000);
});

test('containerPath cleans absolute targets the same way', () => {
  for (const p of paths()) if (p.startsWith('/')) assert.is(containerPath(p, 'services.x.volumes[0]', 'mounts'), reference(p), JSON.stringify(p));
});

test('a relative bind source joins the project directory exactly as path.posix.join then cleanPath did', () => {
  for (const baseDir of ['/', '/tmp/p', '/tmp/p/', '/a/./b', '/a/../b', '//a']) {
    for (const p of paths()) {
      if (p.startsWith('/') || p === '' || p.startsWith('~')) continue;
      for (const rel of [p, `./${p}`, `././${p}`, `.//${p}`]) {
        assert.is(resolveBindSource(rel, {file: 'f', baseDir, home: '/h'}), reference(path.posix.join(baseDir, rel)), JSON.stringify([baseDir, rel]));
      }
    }
  }
});

test.run();
