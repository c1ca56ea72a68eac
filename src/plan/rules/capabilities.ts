/** Rule `capabilities`: the effective capability set, with the engine's semantics (moby oci/caps). */
import {capabilityName, effectiveCapabilities} from '../capabilities.js';
import type {Rule} from '../rule.js';

export const capabilities: Rule = {
  id: 'capabilities',
  summary: "the container holds this capability (Docker's default set, cap_add/cap_drop, privileged)",
  remove: 'drop it with cap_drop (or cap_drop: [ALL] and list only what is needed in cap_add)',
  apply(input, plan) {
    const caps = effectiveCapabilities({privileged: plan.privileged, add: input.svc.cap_add ?? [], drop: input.svc.cap_drop ?? [], at: input.at});
    plan.capabilities = caps.map((c) => ({name: c.name, source: c.source, reason: c.reason, rule: 'capabilities'}));
    plan.userCapAdd = (input.svc.cap_add ?? []).map((c, i) => capabilityName(c, `${input.at}.cap_add[${i}]`));
    plan.userCapDrop = (input.svc.cap_drop ?? []).map((c, i) => capabilityName(c, `${input.at}.cap_drop[${i}]`));
  },
};
