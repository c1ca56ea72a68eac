/** Rule `devices`: device nodes passed in with `devices:` get read/write access at their container path. */
import {containerPath} from '../paths.js';
import type {Rule} from '../rule.js';

export const devices: Rule = {
  id: 'devices',
  summary: 'a host device is passed into the container here',
  remove: 'remove the device from devices:',
  apply(input, plan) {
    (input.svc.devices ?? []).forEach((d, i) => {
      const source = `${input.at}.devices[${i}]`;
      plan.devices.push({path: containerPath(d.target, source, 'devices'), hostPath: d.source, permissions: d.permissions, source, rule: 'devices'});
    });
  },
};
