/**
 * naturalCompare orders the provenance comments of SELinux modules; it compares runs in place
 * instead of cutting both strings at every comparison (issue #8). It must return exactly what
 * the run-by-run definition returns, for any pair.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {naturalCompare} from '../src/render/selinux/render.js';

/** The definition: digit and non-digit runs, digit runs by value (BigInt), then as text, then by run count. */
function reference(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y) && BigInt(x) !== BigInt(y)) return BigInt(x) < BigInt(y) ? -1 : 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return ta.length - tb.length;
}

const PIECES = ['', 'a', 'b', 'services.', 'volumes[', ']', '0', '00', '1', '01', '9', '10', '010', '99999999999999999999', '2', ' ', '.', 'é', '😀'];

test('naturalCompare equals the run-by-run definition on every pair of assembled strings', () => {
  const strings = new Set<string>();
  for (const x of PIECES) for (const y of PIECES) for (const z of ['', '0', 'a', '10']) strings.add(`${x}${y}${z}`);
  const all = [...strings];
  let n = 0;
  for (const a of all) {
    for (const b of all) {
      assert.is(naturalCompare(a, b), reference(a, b), JSON.stringify([a, b]));
      n++;
    }
  }
  assert.ok(n > 100_000);
});

test('provenance paths sort as people count', () => {
  const list = ['services.a.volumes[10]', 'services.a.volumes[9]', 'services.a.volumes[09]', 'services.a', 'services.a.volumes[1]'];
  assert.equal([...list].sort(naturalCompare), ['services.a', 'services.a.volumes[1]', 'services.a.volumes[09]', 'services.a.volumes[9]', 'services.a.volumes[10]']);
});

test.run();
