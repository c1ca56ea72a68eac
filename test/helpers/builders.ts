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
