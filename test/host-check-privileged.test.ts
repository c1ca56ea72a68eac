/** up refuses privileged services under AppArmor: Docker drops their profile on restart and exec (lab, issue #7). */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {complainWarning, privilegedRefusal, privilegedUnderAppArmor, privilegedWarning} from '../src/core/host-check.js';

const svc = (service: string, privileged: boolean, extra: {skip?: boolean; pinned?: unknown} = {}) => ({service, privileged, skip: extra.skip ?? false, pinned: extra.pinned});

test('privileged services confined by hardcompose under AppArmor are named; skipped, pinned and SELinux are not', () => {
  const services = [svc('agent', true), svc('web', false), svc('legacy', true, {skip: true}), svc('own', true, {pinned: {option: 'apparmor=x'}})];
  assert.equal(privilegedUnderAppArmor('apparmor', services), ['agent']);
  assert.equal(privilegedUnderAppArmor('selinux', services), []);
});

test('the refusal says what Docker does, how to fix it, and that nothing started', () => {
  const text = privilegedRefusal(['agent'], 'edge');
  assert.match(text, 'refusing to start project edge');
  assert.match(text, 'agent');
  assert.match(text, 'UNCONFINED');
  assert.match(text, 'restart');
  assert.match(text, '--allow-unconfined');
  assert.match(text, 'Nothing was started.');
  assert.ok(privilegedWarning(['agent'], 'edge').every((l) => l.startsWith('WARNING') || /^!+$/.test(l)));
});

test('complain mode is never silent: the warning names the services, says they are not enforced and how to get back', () => {
  const aa = complainWarning(['app', 'worker'], 'apparmor', 'shop').join('\n');
  assert.match(aa, 'app, worker of project shop are not enforced');
  assert.match(aa, 'audit deny rules included');
  assert.match(aa, 'hardcompose learn');
  assert.match(aa, '--mode enforce');
  assert.match(complainWarning(['app'], 'selinux', 'shop').join('\n'), 'permissive');
});

test.run();
