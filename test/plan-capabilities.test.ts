/** Table tests: effective capabilities follow the engine (moby oci/caps TweakCapabilities). */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {DOCKER_DEFAULT, ALL_CAPABILITIES, capabilityName, effectiveCapabilities} from '../src/plan/capabilities.js';
import {UserError} from '../src/errors.js';

const names = (x: {name: string}[]) => x.map((c) => c.name).sort();
const eff = (add: string[], drop: string[], privileged = false) => names(effectiveCapabilities({privileged, add, drop, at: 'services.s'}));
const sorted = (a: readonly string[]) => [...a].sort();

const cases: Array<[string, string[], string[], boolean, string[]]> = [
  ['nothing: Docker default 14', [], [], false, sorted(DOCKER_DEFAULT)],
  ['cap_drop one', [], ['NET_RAW'], false, sorted(DOCKER_DEFAULT.filter((c) => c !== 'net_raw'))],
  ['cap_add one, CAP_ prefix and lower case', ['cap_net_admin'], [], false, sorted([...DOCKER_DEFAULT, 'net_admin'])],
  ['cap_drop ALL keeps exactly the adds', ['NET_BIND_SERVICE', 'CAP_CHOWN'], ['ALL'], false, ['chown', 'net_bind_service']],
  ['cap_drop all (lower case) with no adds: none', [], ['all'], false, []],
  ['cap_add ALL = all minus drops', ['ALL'], ['SYS_ADMIN', 'CAP_SYS_MODULE'], false, sorted(ALL_CAPABILITIES.filter((c) => c !== 'sys_admin' && c !== 'sys_module'))],
  ['cap_add ALL beats cap_drop ALL', ['ALL'], ['ALL'], false, sorted(ALL_CAPABILITIES)],
  ['privileged = all, whatever the drops', [], ['ALL'], true, sorted(ALL_CAPABILITIES)],
  ['added and dropped: the add wins', ['KILL'], ['KILL'], false, sorted(DOCKER_DEFAULT)],
];

for (const [name, add, drop, priv, want] of cases) {
  test(`capabilities: ${name}`, () => assert.equal(eff(add, drop, priv), want));
}

test('capabilities: the default set is Docker’s 14', () => {
  assert.is(DOCKER_DEFAULT.length, 14);
  assert.ok(DOCKER_DEFAULT.every((c) => (ALL_CAPABILITIES as readonly string[]).includes(c)));
});

test('capabilities: provenance names the cap_add entry that granted it', () => {
  const caps = effectiveCapabilities({privileged: false, add: ['NET_BIND_SERVICE', 'CAP_CHOWN'], drop: ['ALL'], at: 'services.api'});
  assert.equal(caps.map((c) => [c.name, c.source]), [['chown', 'services.api.cap_add[1]'], ['net_bind_service', 'services.api.cap_add[0]']]);
});

test('capabilities: an unknown name is a user error naming the compose path', () => {
  try {
    capabilityName('NET_TELEPORT', 'services.web.cap_add[2]');
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, UserError);
    assert.is((e as UserError).where.path, 'services.web.cap_add[2]');
    assert.match((e as UserError).message, 'NET_TELEPORT');
  }
});

test.run();
