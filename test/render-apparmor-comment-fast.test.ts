/**
 * commentText skips its Unicode-aware replacement for text that cannot contain anything it
 * replaces (issue #8); the result must be what the replacement alone gives, for every string.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {commentText} from '../src/render/apparmor/escape.js';

const UNSAFE_CHAR_G =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const reference = (text: string) => String(text).replace(UNSAFE_CHAR_G, (c) => `\\u{${c.charCodeAt(0).toString(16).padStart(4, '0')}}`);

test('commentText equals the plain replacement on text made of every kind of character', () => {
  // Boundaries of every range, common non-ASCII text, paired and lone surrogates.
  const units = [0x00, 0x09, 0x1f, 0x20, 0x7e, 0x7f, 0x9f, 0xa0, 0xad, 0xae, 0xe9, 0x61c, 0x180e, 0x200a, 0x200b, 0x200f, 0x2010, 0x2028, 0x202e, 0x202f, 0x205f, 0x2060, 0x206f, 0x2070, 0x2192, 0xfeff, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xd800, 0xdbff, 0xdc00, 0xdfff];
  const pieces = [...units.map((u) => String.fromCharCode(u)), '😀', 'a', 'services.app.volumes[0] bind → /data'];
  let n = 0;
  for (const a of pieces) {
    for (const b of pieces) {
      for (const c of ['', 'x', '\ud83d', '\ude00']) {
        const s = `${a}${b}${c}`;
        assert.is(commentText(s), reference(s), JSON.stringify(s));
        n++;
      }
    }
  }
  assert.ok(n > 5000);
});

test.run();
