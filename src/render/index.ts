/** The render stage: SecurityPlan → Artifact[] (policies for the chosen backend, the overlay, the lock). */
import type {ComposeProject} from '../compose/model.js';
import {InternalError} from '../errors.js';
import type {Artifact, SecurityPlan} from '../plan/types.js';
import type {SelinuxRenderContext} from './selinux/index.js';
import {renderLock} from './lock.js';
import {renderOverlay} from './overlay.js';

export interface RenderOptions {
  selinuxRelabel: boolean;
  /** Output folder relative to the project directory, POSIX; only printed in comments. */
  outRel: string;
  /** Inputs other than compose files (hardcompose.allow.yml), recorded in the lock. */
  extraInputs: Array<{path: string; text: string}>;
  /** Host facts for the SELinux backend (src/host/selinux.ts selinuxRenderContext). */
  selinux?: SelinuxRenderContext;
}

export async function renderAll(plan: SecurityPlan, project: ComposeProject, opts: RenderOptions): Promise<Artifact[]> {
  let policies: Artifact[];
  let overlay: Artifact;
  if (plan.backend === 'apparmor') {
    const {renderAppArmor} = await import('./apparmor/index.js');
    policies = renderAppArmor(plan);
    overlay = renderOverlay(plan, {securityOptFor: (sp) => `apparmor=${sp.profileName}`, outRel: opts.outRel});
  } else {
    const {renderSelinux, selinuxProcessType} = await import('./selinux/index.js');
    if (!opts.selinux) throw new InternalError('the SELinux backend needs the host facts (port and file types)');
    policies = renderSelinux(plan, opts.selinux);
    overlay = renderOverlay(plan, {securityOptFor: (sp) => `label=type:${selinuxProcessType(plan.project, sp.service)}`, outRel: opts.outRel});
  }
  const artifacts = [...policies, overlay].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [...artifacts, renderLock(plan, project, artifacts, opts.extraInputs)];
}
