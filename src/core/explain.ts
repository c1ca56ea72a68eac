/** `hardcompose explain SERVICE`: one service's plan as rows (item, why, what removes it). */
import {UserError} from '../errors.js';
import type {ServicePlan} from '../plan/types.js';
import {buildArtifacts, type GenerateOptions} from './generate.js';
import {explainRows} from './report.js';

export async function runExplain(opts: GenerateOptions, service: string): Promise<{service: ServicePlan; rows: ReturnType<typeof explainRows>}> {
  const {plan, project} = await buildArtifacts(opts);
  const sp = plan.services.find((s) => s.service === service);
  if (!sp) {
    const disabled = project.disabledServices.includes(service);
    throw new UserError(
      'E_NO_SERVICE',
      disabled ? `service ${JSON.stringify(service)} is not active under the selected profiles` : `no service ${JSON.stringify(service)} in project ${plan.project}`,
      {path: `services.${service}`},
      disabled ? 'enable its profile with --profile' : `services are: ${plan.services.map((s) => s.service).join(', ')}`,
    );
  }
  return {service: sp, rows: explainRows(sp)};
}
