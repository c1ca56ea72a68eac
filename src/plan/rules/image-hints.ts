/** Rule `image-hints`: writable paths a known image needs at run time (templates/hints.json), used at strict level. */
import {containerPath} from '../paths.js';
import type {Rule} from '../rule.js';

export const imageHints: Rule = {
  id: 'image-hints',
  summary: 'a known image writes here at run time (templates/hints.json)',
  remove: 'mount a volume or tmpfs at the path instead, or set x-hardcompose.skip for the hint',
  apply(input, plan) {
    if (!input.hint) return;
    plan.hint = input.hint.id;
    if (plan.level !== 'strict') return;
    for (const w of input.hint.write ?? []) {
      const p = containerPath(w, `hint:${input.hint.id}`, 'image-hints');
      plan.files.push({path: p, access: 'write', kind: 'hint', source: `${input.at}.image (hint ${input.hint.id})`, detail: `${input.hint.id} writes ${p}`, rule: 'image-hints'});
    }
  },
};
