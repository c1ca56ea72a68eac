/**
 * Rule `strict-scratch`: at strict level nothing in the image is writable except a few
 * scratch paths ordinary programs expect (temporary files, run-time state, shared memory).
 * No exec is allowed from them (see the renderers). A read-only root makes them moot.
 */
import type {Rule} from '../rule.js';

export const SCRATCH_PATHS = ['/dev/shm', '/run', '/tmp', '/var/run', '/var/tmp'];

export const strictScratch: Rule = {
  id: 'strict-scratch',
  summary: 'strict level: a scratch path programs expect to write (no exec)',
  remove: 'read_only: true with tmpfs only where needed, or level: baseline',
  apply(input, plan) {
    if (plan.level !== 'strict' || plan.readOnlyRoot) return;
    for (const p of SCRATCH_PATHS) {
      plan.files.push({path: p, access: 'write', kind: 'scratch', source: 'rule:strict-scratch', detail: `scratch ${p}`, rule: 'strict-scratch'});
    }
  },
};
