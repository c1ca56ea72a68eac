/** In-memory builders for table tests of pure stages. */
import type {SecurityPlan, ServicePlan} from '../../src/plan/types.js';

export function servicePlan(over: Partial<ServicePlan> & {service?: string; project?: string} = {}): ServicePlan {
  const service = over.service ?? 'web';
  const project = over.project ?? 'demo';
  const {project: _p, ...rest} = over;
  return {
    service,
    profileName: `hardcompose.${project}.${service}`,
    level: 'baseline',
    mode: 'enforce',
    skip: false,
    privileged: false,
    readOnlyRoot: false,
    capabilities: [],
    files: [],
    devices: [],
    network: {mode: 'bridge', source: `services.${service}`, sockets: [], ports: [], raw: false},
    pidHost: false,
    ipcHost: false,
    findings: [],
    existingSecurityOpt: [],
    userCapAdd: [],
    userCapDrop: [],
    ...rest,
  };
}

export function securityPlan(services: ServicePlan[], over: Partial<SecurityPlan> = {}): SecurityPlan {
  return {
    project: 'demo',
    backend: 'apparmor',
    level: 'baseline',
    mode: 'enforce',
    inputs: ['compose.yaml'],
    toolVersion: '0.1.0',
    services,
    findings: [],
    ...over,
  };
}

import type {ComposeProject, ServiceConfig} from '../../src/compose/model.js';
import {planProject, type PlanOptions} from '../../src/plan/plan.js';

/** A loaded project in memory: services as the loader would normalise them. */
export function composeProject(services: Record<string, ServiceConfig>, top: Record<string, unknown> = {}, name = 'demo'): ComposeProject {
  return {
    name,
    workingDir: '/nonexistent/demo',
    files: [{absolute: '/nonexistent/demo/compose.yaml', relative: 'compose.yaml', sha256: '0'.repeat(64)}],
    model: {name, services, ...top},
    disabledServices: [],
    interpolated: {},
    warnings: [],
  };
}

/** Plans one service and returns its ServicePlan. */
export function planOne(svc: ServiceConfig, opts: Partial<PlanOptions> = {}, top: Record<string, unknown> = {}): ServicePlan {
  const plan = planProject(composeProject({web: svc}, top), {backend: 'apparmor', toolVersion: '0.0.0', hints: [], ...opts});
  return plan.services[0];
}
