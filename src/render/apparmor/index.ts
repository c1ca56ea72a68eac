/**
 * AppArmor backend of the render stage: SecurityPlan → one profile per confined service.
 * Skipped services (x-hardcompose.skip) and services whose user already pinned a profile get
 * none: the overlay leaves them alone.
 */
import type {Artifact, SecurityPlan} from '../../plan/types.js';
import {renderAppArmorProfile} from './profile.js';

export {renderAppArmorProfile} from './profile.js';
export {quotePath, quoteGlobTree, commentText, checkPath, pathProblem} from './escape.js';

/** `apparmor/<profileName>` for every service that is neither skipped nor pinned, sorted by path. */
export function renderAppArmor(plan: SecurityPlan): Artifact[] {
  return plan.services
    .filter((sp) => !sp.skip && !sp.pinned)
    .map((sp) => ({path: `apparmor/${sp.profileName}`, content: renderAppArmorProfile(plan, sp), kind: 'apparmor' as const}))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
