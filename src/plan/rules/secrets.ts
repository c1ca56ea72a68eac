/** Rule `secrets-configs`: secrets and configs are mounted read-only at their targets (compose-spec "secrets", "configs"). */
import {containerPath} from '../paths.js';
import type {Rule} from '../rule.js';

export const secretsConfigs: Rule = {
  id: 'secrets-configs',
  summary: 'a secret or config is mounted here read-only',
  remove: 'remove the secret/config from the service',
  apply(input, plan) {
    for (const key of ['secrets', 'configs'] as const) {
      const list = (input.svc[key] as Array<{source?: string; target?: string}> | undefined) ?? [];
      list.forEach((e, i) => {
        if (!e || typeof e.target !== 'string') return;
        const source = `${input.at}.${key}[${i}]`;
        const target = containerPath(e.target, source, 'secrets-configs');
        plan.files.push({path: target, access: 'deny-write', kind: 'bind', source, detail: `${key.slice(0, -1)} ${e.source ?? ''} → ${target} ro`, rule: 'secrets-configs'});
      });
    }
  },
};
