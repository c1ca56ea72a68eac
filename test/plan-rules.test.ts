/** Table tests for the plan rules, on in-memory projects. */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {planProject} from '../src/plan/plan.js';
import {composeProject, planOne} from './helpers/builders.js';

const files = (sp: ReturnType<typeof planOne>) => sp.files.map((f) => `${f.access} ${f.path} ${f.kind} ${f.source}`);

test('mounts: rw volume writable, ro bind denied, by container target, not host source', () => {
  const sp = planOne({
    volumes: [
      {type: 'bind', source: '/srv/cfg', target: '/etc/app', read_only: true},
      {type: 'volume', source: 'data', target: '/var/lib/app/'},
      {type: 'tmpfs', target: '/run/app'},
    ],
  });
  assert.equal(files(sp), [
    'deny-write /etc/app bind services.web.volumes[0]',
    'write /run/app tmpfs services.web.volumes[2]',
    'write /var/lib/app volume services.web.volumes[1]',
  ]);
  assert.is(sp.files[0].hostPath, '/srv/cfg');
});

test('mounts: tmpfs entries with options, secrets read-only', () => {
  const sp = planOne({tmpfs: ['/tmp:size=64m,mode=1777'], secrets: [{source: 'pw', target: '/run/secrets/pw'}]});
  assert.equal(files(sp), ['deny-write /run/secrets/pw bind services.web.secrets[0]', 'write /tmp tmpfs services.web.tmpfs[0]']);
});

test('mounts: a relative or control-character target is refused with the compose path', () => {
  for (const target of ['data', '/x\ny', '/a\u0000b', '/ok\u2028']) {
    try {
      planOne({volumes: [{type: 'volume', source: 'd', target}]});
      assert.unreachable(`accepted ${JSON.stringify(target)}`);
    } catch (e) {
      assert.instance(e, UserError);
      assert.is((e as UserError).code, 'E_UNSAFE_PATH');
      assert.is((e as UserError).where.path, 'services.web.volumes[0]');
    }
  }
});

test('mounts: a socket mounted :ro stays usable and is reported', () => {
  const sp = planOne({volumes: [{type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', read_only: true}]});
  assert.equal(sp.files.map((f) => f.access), ['write']);
  assert.ok(sp.findings.some((f) => f.code === 'docker-socket' && f.severity === 'high'));
  assert.ok(sp.findings.some((f) => f.code === 'ro-socket'));
});

test('network: none has no inet sockets and no ports; bridge has TCP, UDP and netlink', () => {
  const none = planOne({network_mode: 'none', ports: [{target: 80, protocol: 'tcp', mode: 'ingress'}]});
  assert.is(none.network.mode, 'none');
  assert.equal(none.network.sockets.map((s) => s.family), ['unix']);
  assert.equal(none.network.ports, []);
  const bridge = planOne({ports: [{target: 443, protocol: 'tcp', mode: 'ingress', published: '8443'}], expose: ['9000-9002/udp']});
  assert.equal(bridge.network.sockets.map((s) => `${s.family} ${s.type}`).sort(), ['inet dgram', 'inet stream', 'inet6 dgram', 'inet6 stream', 'netlink dgram', 'netlink raw', 'unix any']);
  assert.equal(bridge.network.ports.map((p) => `${p.port}-${p.portEnd}/${p.protocol} ${p.how}`), ['443-443/tcp published', '9000-9002/udp exposed']);
});

test('raw sockets: not from the Docker default NET_RAW; yes when cap_add asks (baseline); strict needs x-hardcompose', () => {
  assert.is(planOne({}).network.raw, false);
  assert.is(planOne({cap_add: ['NET_RAW']}).network.raw, true);
  assert.is(planOne({cap_add: ['NET_RAW']}, {level: 'strict'}).network.raw, false);
  assert.is(planOne({'x-hardcompose': {network: {raw: true}}}, {level: 'strict'}).network.raw, true);
  assert.is(planOne({cap_add: ['NET_RAW'], cap_drop: ['NET_RAW', 'ALL']}).network.raw, true, 'add wins over drop');
  assert.is(planOne({cap_drop: ['NET_RAW'], 'x-hardcompose': {network: {raw: true}}}).network.raw, false, 'no NET_RAW, no raw sockets');
});

test('findings: privileged, host namespaces, dangerous caps, writable host system paths', () => {
  const codes = (svc: Parameters<typeof planOne>[0]) => planOne(svc).findings.map((f) => f.code);
  assert.ok(codes({privileged: true}).includes('privileged'));
  assert.equal(codes({pid: 'host', ipc: 'host', network_mode: 'host'}).sort(), ['host-ipc', 'host-network', 'host-pid']);
  assert.equal(codes({cap_add: ['SYS_ADMIN', 'NET_ADMIN', 'CHOWN']}).sort(), ['cap-net_admin', 'cap-sys_admin']);
  const mounts = planOne({volumes: [{type: 'bind', source: '/etc', target: '/host/etc'}, {type: 'bind', source: '/', target: '/host', read_only: true}, {type: 'bind', source: '/srv/x', target: '/x'}]}).findings;
  assert.equal(mounts.map((f) => `${f.code} ${f.severity} ${f.source}`), ['host-system-mount high services.web.volumes[0]', 'host-system-mount medium services.web.volumes[1]']);
  assert.ok(codes({use_api_socket: true}).includes('docker-socket'));
  assert.ok(codes({security_opt: ['seccomp:unconfined']}).includes('seccomp-unconfined'));
});

test('levels: service x-hardcompose beats --level, which beats the top-level default', () => {
  const p = (svcLevel: string | undefined, flag: 'baseline' | 'strict' | undefined, topLevel: string | undefined) =>
    planProject(composeProject({web: svcLevel ? {'x-hardcompose': {level: svcLevel}} : {}}, topLevel ? {'x-hardcompose': {level: topLevel}} : {}), {backend: 'apparmor', toolVersion: '0', hints: [], level: flag}).services[0].level;
  assert.is(p(undefined, undefined, undefined), 'baseline');
  assert.is(p(undefined, undefined, 'strict'), 'strict');
  assert.is(p(undefined, 'baseline', 'strict'), 'baseline');
  assert.is(p('strict', 'baseline', undefined), 'strict');
});

test('strict: scratch paths writable unless the root is read-only; image hints add run-time paths', () => {
  const strict = planOne({image: 'nginx:1.25'}, {level: 'strict', hints: [{id: 'nginx', images: ['nginx'], write: ['/var/cache/nginx']}]});
  assert.ok(strict.files.some((f) => f.kind === 'scratch' && f.path === '/tmp'));
  assert.ok(strict.files.some((f) => f.kind === 'hint' && f.path === '/var/cache/nginx'));
  assert.is(strict.hint, 'nginx');
  const ro = planOne({read_only: true}, {level: 'strict'});
  assert.ok(!ro.files.some((f) => f.kind === 'scratch'));
  assert.ok(!planOne({image: 'nginx'}, {hints: [{id: 'nginx', images: ['nginx'], write: ['/var/cache/nginx']}]}).files.some((f) => f.kind === 'hint'), 'baseline needs no hints');
});

test('pinned and skipped services: recorded with a finding', () => {
  const pinned = planOne({security_opt: ['apparmor=mine']});
  assert.equal(pinned.pinned, {option: 'apparmor=mine', source: 'services.web.security_opt[0]'});
  assert.ok(planOne({security_opt: ['label=type:x_t']}, {backend: 'selinux'}).pinned);
  assert.is(planOne({security_opt: ['label=level:s0:c1']}, {backend: 'selinux'}).pinned, undefined, 'a level label does not pin the type');
  assert.is(planOne({security_opt: ['apparmor=mine']}, {backend: 'selinux'}).pinned, undefined);
  const skipped = planOne({'x-hardcompose': {skip: 'own profile'}});
  assert.ok(skipped.skip);
  assert.ok(skipped.findings.some((f) => f.code === 'skipped' && f.message.includes('own profile')));
});

test('x-hardcompose: bad keys and values are user errors naming the path', () => {
  const bad: Array<[unknown, string]> = [
    [{level: 'paranoid'}, 'services.web.x-hardcompose.level'],
    [{wirte: ['/x']}, 'services.web.x-hardcompose.wirte'],
    [{write: '/x'}, 'services.web.x-hardcompose.write'],
    [{write: ['relative']}, 'services.web.x-hardcompose.write[0]'],
    [{capabilities: ['CAP_FLY']}, 'services.web.x-hardcompose.capabilities[0]'],
    [{network: {raw: 'yes'}}, 'services.web.x-hardcompose.network.raw'],
  ];
  for (const [xh, path] of bad) {
    try {
      planOne({'x-hardcompose': xh});
      assert.unreachable(JSON.stringify(xh));
    } catch (e) {
      assert.instance(e, UserError, JSON.stringify(xh));
      assert.is((e as UserError).where.path, path);
      assert.ok((e as UserError).hint);
    }
  }
});

test('the plan is deterministic: services and files sorted', () => {
  const project = composeProject({b: {volumes: [{type: 'volume', source: 'z', target: '/z'}, {type: 'volume', source: 'a', target: '/a'}]}, a: {}});
  const plan = planProject(project, {backend: 'apparmor', toolVersion: '0', hints: []});
  assert.equal(plan.services.map((s) => s.service), ['a', 'b']);
  assert.equal(plan.services[1].files.map((f) => f.path), ['/a', '/z']);
  assert.equal(JSON.stringify(planProject(project, {backend: 'apparmor', toolVersion: '0', hints: []})), JSON.stringify(plan));
});

test.run();
