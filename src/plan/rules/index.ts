/** Every inference rule, in the order the planner applies them. `explain` reads ids and texts from here. */
import type {Rule} from '../rule.js';
import {capabilities} from './capabilities.js';
import {devices} from './devices.js';
import {findingDangerousCaps, findingDockerSocket, findingHostNamespaces, findingHostSystemMounts, findingPrivileged, findingSecurityOpt} from './findings.js';
import {imageHints} from './image-hints.js';
import {learned} from './learned.js';
import {mounts} from './mounts.js';
import {network} from './network.js';
import {ports} from './ports.js';
import {rawSockets} from './raw-sockets.js';
import {secretsConfigs} from './secrets.js';
import {strictScratch} from './strict-scratch.js';
import {tmpfs} from './tmpfs.js';
import {xHardcompose} from './x-hardcompose.js';

export const RULES: readonly Rule[] = [
  capabilities,
  mounts,
  tmpfs,
  secretsConfigs,
  devices,
  network,
  ports,
  rawSockets,
  strictScratch,
  imageHints,
  xHardcompose,
  learned,
  findingPrivileged,
  findingDockerSocket,
  findingHostNamespaces,
  findingDangerousCaps,
  findingHostSystemMounts,
  findingSecurityOpt,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
