/** Rule `tmpfs`: `tmpfs:` entries are private writable memory file systems at their paths. */
import {containerPath} from '../paths.js';
import type {Rule} from '../rule.js';

export const tmpfs: Rule = {
  id: 'tmpfs',
  summary: 'a tmpfs is mounted here, so the service may write to it',
  remove: 'remove the tmpfs entry',
  apply(input, plan) {
    const list = input.svc.tmpfs ?? [];
    list.forEach((entry, i) => {
      const source = `${input.at}.tmpfs[${i}]`;
      // `/run:size=64m,mode=1777`: the options follow the first colon.
      const target = containerPath(String(entry).split(':')[0], source, 'tmpfs');
      plan.files.push({path: target, access: 'write', kind: 'tmpfs', source, detail: `tmpfs → ${target}`, rule: 'tmpfs'});
    });
  },
};
