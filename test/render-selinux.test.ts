/** SELinux renderer, pure: names, ports, files, comments, determinism. No tools needed. */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import type {FileRule, ServicePlan} from '../src/plan/types.js';
import {
  assignBlockNames,
  cilCommentText,
  embeddedPortTable,
  parseSemanagePortList,
  portType,
  portTypesForRange,
  renderSelinux,
  selinuxBlockName,
  type SelinuxRenderContext,
} from '../src/render/selinux/index.js';
import {securityPlan, servicePlan} from './helpers/builders.js';

const PORTS = parseSemanagePortList(embeddedPortTable('refpolicy'));

function ctx(over: Partial<SelinuxRenderContext> = {}): SelinuxRenderContext {
  return {ports: PORTS, portSource: 'embedded', fileTypes: new Map(), ...over};
}

function net(service: string, ports: ServicePlan['network']['ports'] = [], mode: ServicePlan['network']['mode'] = 'bridge'): ServicePlan['network'] {
  return {mode, source: `services.${service}`, sockets: [], ports, raw: false};
}

function tcp(service: string, port: number, i = 0, portEnd = port): ServicePlan['network']['ports'][number] {
  return {port, portEnd, protocol: 'tcp', how: 'published', source: `services.${service}.ports[${i}]`, rule: 'ports'};
}

function bind(service: string, i: number, target: string, hostPath: string, access: FileRule['access'], relabel?: 'z' | 'Z'): FileRule {
  const f: FileRule = {path: target, access, kind: 'bind', source: `services.${service}.volumes[${i}]`, detail: `bind → ${target}`, rule: 'mounts', hostPath};
  if (relabel) f.selinuxRelabel = relabel;
  return f;
}

function moduleOf(arts: ReturnType<typeof renderSelinux>, block: string): string {
  const a = arts.find((x) => x.path === `selinux/${block}.cil`);
  assert.ok(a, `artifact for ${block}`);
  return a.content;
}

/** Policy statements only (comments stripped), one per line. */
function statements(cil: string): string[] {
  return cil.split('\n').map((l) => l.replace(/;.*$/, '').trim()).filter(Boolean);
}

function throwsUser(fn: () => unknown, code: string): UserError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UserError);
    assert.is((e as UserError).code, code);
    return e as UserError;
  }
  assert.unreachable(`expected UserError ${code}`);
  throw new Error('unreachable');
}

test('block names: prefix, project, service, non-identifier characters mapped to _', () => {
  assert.is(selinuxBlockName('shop', 'api'), 'hardcompose_shop_api');
  assert.is(selinuxBlockName('my-proj', 'web.1'), 'hardcompose_my_proj_web_1');
  assert.is(selinuxBlockName('p', 'Wéb'), 'hardcompose_p_W_b');
  throwsUser(() => selinuxBlockName('', 'x'), 'E_SELINUX_NAME');
});

test('block name collision names both compose paths', () => {
  const e = throwsUser(() => assignBlockNames('shop', ['api', 'my-app', 'my_app']), 'E_SELINUX_NAME_COLLISION');
  assert.match(e.message, 'services.my-app');
  assert.match(e.message, 'services.my_app');
  assert.match(e.message, 'hardcompose_shop_my_app');
  throwsUser(() => renderSelinux(securityPlan([servicePlan({service: 'a.b'}), servicePlan({service: 'a-b'})]), ctx()), 'E_SELINUX_NAME_COLLISION');
});

test('artifacts: base plus one module per confined service, sorted, kind selinux', () => {
  const plan = securityPlan([
    servicePlan({service: 'web'}),
    servicePlan({service: 'db'}),
    servicePlan({service: 'skipped', skip: true}),
    servicePlan({service: 'pinned', pinned: {option: 'label=disable', source: 'services.pinned.security_opt[0]'}}),
  ]);
  const arts = renderSelinux(plan, ctx());
  assert.equal(arts.map((a) => a.path), ['selinux/hardcompose_base.cil', 'selinux/hardcompose_demo_db.cil', 'selinux/hardcompose_demo_web.cil']);
  assert.ok(arts.every((a) => a.kind === 'selinux'));
  assert.equal(renderSelinux(securityPlan([servicePlan({skip: true})]), ctx()), []);
  const web = moduleOf(arts, 'hardcompose_demo_web');
  assert.match(web, /^\(block hardcompose_demo_web$/m);
  assert.match(web, 'label=type:hardcompose_demo_web.process');
  assert.match(web, '(blockinherit hardcompose_base.net_container)');
  // The base never is `base.cil`: semodule would replace refpolicy's own base module.
  assert.match(arts[0]!.content, /^\(block hardcompose_base$/m);
});

test('no optional blocks anywhere (they drop unknown names silently)', () => {
  const arts = renderSelinux(securityPlan([servicePlan({network: net('web', [tcp('web', 80)])})]), ctx());
  for (const flavor of ['refpolicy', 'fedora'] as const) {
    for (const a of renderSelinux(securityPlan([servicePlan()]), ctx({flavor}))) assert.not.match(statements(a.content).join('\n'), '(optional');
  }
  for (const a of arts) assert.not.match(statements(a.content).join('\n'), '(optional');
});

test('name_bind only on the types of published and exposed ports', () => {
  const web = servicePlan({
    service: 'web',
    network: net('web', [tcp('web', 80), tcp('web', 443, 1), {port: 8000, portEnd: 8010, protocol: 'tcp', how: 'exposed', source: 'services.web.expose[0]', rule: 'ports'}]),
  });
  const cil = moduleOf(renderSelinux(securityPlan([web]), ctx()), 'hardcompose_demo_web');
  const binds = statements(cil).filter((s) => s.includes('name_bind'));
  const types = [...new Set(binds.map((s) => /\(allow process (\S+) \(tcp_socket \(name_bind\)\)\)/.exec(s)?.[1]))].sort();
  assert.equal(types, ['http_port_t', 'mxi_port_t', 'soundd_port_t', 'unreserved_port_t', 'xen_port_t']);
  assert.not.match(cil, 'ssh_port_t');
  assert.match(cil, /services\.web\.ports\[0\] 80\/tcp published$/m);
  assert.match(cil, /unreserved_port_t also covers every other port/);
});

test('network_mode none: base without network, no inet sockets, no binds', () => {
  const svc = servicePlan({
    service: 'worker',
    network: {
      mode: 'none',
      source: 'services.worker.network_mode',
      ports: [tcp('worker', 80)],
      raw: false,
      sockets: [
        {family: 'unix', type: 'any', source: 'services.worker', reason: 'local IPC', rule: 'network'},
        {family: 'inet', type: 'stream', source: 'services.worker', reason: 'TCP', rule: 'network'},
      ],
    },
  });
  const cil = moduleOf(renderSelinux(securityPlan([svc]), ctx()), 'hardcompose_demo_worker');
  assert.match(cil, '(blockinherit hardcompose_base.container)');
  assert.not.match(cil, 'net_container');
  assert.not.match(cil, 'name_bind');
  assert.not.match(cil, 'tcp_socket');
  assert.match(cil, 'unix_stream_socket');
});

test('mounts: :z/:Z → container_file_t, host bind → looked-up type, read-only gets read perms only', () => {
  const svc = servicePlan({
    service: 'web',
    files: [
      bind('web', 0, '/usr/share/nginx/html', '/home/alice/shop/html', 'deny-write', 'z'),
      bind('web', 1, '/etc/nginx', '/home/alice/shop/conf', 'deny-write'),
      bind('web', 2, '/data', '/srv/data', 'write'),
      bind('web', 3, '/unknown', '/opt/thing', 'read'),
      {path: '/var/cache/nginx', access: 'write', kind: 'volume', source: 'services.web.volumes[4]', detail: 'cache (named volume) → /var/cache/nginx', rule: 'mounts'},
      {path: '/etc/nginx/conf.d', access: 'write', kind: 'hint', source: 'services.web.image (hint nginx)', detail: 'nginx writes', rule: 'image-hints'},
      {path: '/data/tmp', access: 'write', kind: 'scratch', source: 'rule:strict-scratch', detail: 'scratch /data/tmp', rule: 'strict-scratch'},
    ],
  });
  const fileTypes = new Map([
    ['/home/alice/shop/conf', 'httpd_config_t'],
    ['/srv/data', 'var_t'],
  ]);
  const cil = moduleOf(renderSelinux(securityPlan([svc]), ctx({fileTypes})), 'hardcompose_demo_web');
  const lines = statements(cil);
  const writes = ['write', 'create', 'append', 'unlink', 'rename', 'add_name', 'setattr'];
  const rulesFor = (src: string) => cil.split('\n').filter((l) => l.includes(`; ${src} `));
  // :z read-only mount: container_file_t, read perms
  for (const l of rulesFor('services.web.volumes[0]')) {
    assert.match(l, 'container_file_t');
    for (const w of writes) assert.not.ok(new RegExp(`\\b${w}\\b`).test(l.replace(/;.*/, '')), `${w} in ${l}`);
  }
  // host bind, read-only: its type, read perms
  const conf = rulesFor('services.web.volumes[1]');
  assert.ok(conf.length >= 3 && conf.every((l) => l.includes('httpd_config_t')));
  for (const l of conf) for (const w of writes) assert.not.ok(new RegExp(`\\b${w}\\b`).test(l.replace(/;.*/, '')), `${w} in ${l}`);
  // host bind, writable
  assert.ok(lines.includes('(allow process var_t (file (append create getattr ioctl link lock map open read rename setattr unlink watch write)))'));
  // no lookup result: default_t, said so
  assert.match(cil, /\(allow process default_t \(dir .*; services\.web\.volumes\[3\] .*host type not looked up/);
  // named volume
  assert.match(cil, /\(allow process container_file_t \(file \([^)]*write[^)]*\)\)\) ; services\.web\.volumes\[4\]/);
  // a path under the read-only conf mount stays read-only; one under /data gets var_t write
  for (const l of rulesFor('services.web.image')) {
    assert.match(l, 'httpd_config_t');
    assert.match(l, 'under read-only services.web.volumes[1]');
    assert.not.match(l.replace(/;.*/, ''), /\bwrite\b/);
  }
  assert.ok(rulesFor('rule:strict-scratch').some((l) => /^\s*\(allow process var_t \(file \(.*\bwrite\b/.test(l)));
  // host paths never rendered
  for (const p of ['/home/alice', '/srv/data', '/opt/thing']) assert.not.match(cil, p);
});

test('host paths are scrubbed from descriptions too', () => {
  const f = bind('web', 0, '/etc/app', '/home/alice/shop/conf', 'read');
  f.detail = '/home/alice/shop/conf → /etc/app ro';
  const cil = moduleOf(renderSelinux(securityPlan([servicePlan({files: [f]})]), ctx()), 'hardcompose_demo_web');
  assert.not.match(cil, '/home/alice');
  assert.match(cil, '<host path> → /etc/app ro');
});

test('capabilities: capability and cap_userns, capability2 for the high ones, unknown rejected', () => {
  const caps = ['chown', 'net_bind_service', 'bpf'].map((name, i) => ({name, source: `services.web.cap_add[${i}]`, reason: 'cap_add', rule: 'capabilities'}));
  const lines = statements(moduleOf(renderSelinux(securityPlan([servicePlan({capabilities: caps})]), ctx()), 'hardcompose_demo_web'));
  for (const l of [
    '(allow process self (capability (chown)))',
    '(allow process self (cap_userns (chown)))',
    '(allow process self (capability (net_bind_service)))',
    '(allow process self (capability2 (bpf)))',
    '(allow process self (cap2_userns (bpf)))',
  ]) {
    assert.ok(lines.includes(l), l);
  }
  assert.not.ok(lines.some((l) => l.includes('sys_admin')));
  const bad = [{name: 'sys_everything', source: 'services.web.cap_add[0]', reason: 'cap_add', rule: 'capabilities'}];
  throwsUser(() => renderSelinux(securityPlan([servicePlan({capabilities: bad})]), ctx()), 'E_SELINUX_CAPABILITY');
});

test('devices: host node type and class, tun socket for /dev/net/tun', () => {
  const devices = [
    {path: '/dev/net/tun', hostPath: '/dev/net/tun', permissions: 'rwm', source: 'services.vpn.devices[0]', rule: 'devices'},
    {path: '/dev/xvdz', hostPath: '/dev/sdb', permissions: 'r', source: 'services.vpn.devices[1]', rule: 'devices'},
    {path: '/dev/thing', hostPath: '/dev/thing0', permissions: 'rw', source: 'services.vpn.devices[2]', rule: 'devices'},
  ];
  const lines = statements(moduleOf(renderSelinux(securityPlan([servicePlan({service: 'vpn', devices})]), ctx()), 'hardcompose_demo_vpn'));
  assert.ok(lines.includes('(allow process tun_tap_device_t (chr_file (append getattr ioctl lock map open read write)))'));
  assert.ok(lines.some((l) => l.startsWith('(allow process self (tun_socket (')));
  assert.ok(lines.includes('(allow process fixed_disk_device_t (blk_file (getattr ioctl lock map open read)))'));
  assert.ok(lines.some((l) => l.startsWith('(allow process device_t (chr_file (')));
  // a looked-up type wins over the table
  const looked = statements(moduleOf(renderSelinux(securityPlan([servicePlan({service: 'vpn', devices: [devices[2]!]})]), ctx({fileTypes: new Map([['/dev/thing0', 'usb_device_t']])})), 'hardcompose_demo_vpn'));
  assert.ok(looked.some((l) => l.startsWith('(allow process usb_device_t (chr_file (')));
});

test("neverallow-guarded grants inherit the base's exemption; mac_override is never granted", () => {
  const capabilities = ['sys_module', 'mac_override', 'chown'].map((name, i) => ({name, source: `services.wg.cap_add[${i}]`, reason: 'cap_add', rule: 'capabilities'}));
  const devices = [
    {path: '/dev/sda', hostPath: '/dev/sda', permissions: 'rw', source: 'services.wg.devices[0]', rule: 'devices'},
    {path: '/dev/sdb', hostPath: '/dev/sdb', permissions: 'r', source: 'services.wg.devices[1]', rule: 'devices'},
  ];
  const files = [bind('wg', 0, '/etc/shadow', '/etc/shadow', 'read')];
  const cil = moduleOf(renderSelinux(securityPlan([servicePlan({service: 'wg', capabilities, devices, files})]), ctx({fileTypes: new Map([['/etc/shadow', 'shadow_t']])})), 'hardcompose_demo_wg');
  const lines = statements(cil);
  for (const b of ['load_kernel_modules', 'raw_disk_read', 'raw_disk_write', 'read_shadow']) assert.ok(lines.includes(`(blockinherit hardcompose_base.${b})`), b);
  assert.not.ok(lines.includes('(blockinherit hardcompose_base.write_shadow)'));
  // one inherit per block, naming every entry that needs it
  assert.is(lines.filter((l) => l === '(blockinherit hardcompose_base.raw_disk_read)').length, 1);
  assert.match(cil, /\(blockinherit hardcompose_base\.raw_disk_read\) ; .*services\.wg\.devices\[0\].*; services\.wg\.devices\[1\]/);
  assert.match(cil, /\(blockinherit hardcompose_base\.load_kernel_modules\) ; sys_module is reserved to kernel module loaders: services\.wg\.cap_add\[0\]/);
  assert.ok(lines.includes('(allow process self (capability (sys_module)))'));
  assert.not.match(lines.join('\n'), 'mac_override');
  assert.match(cil, /^ {2}; not granted: mac_override \(services\.wg\.cap_add\[1\]\)/m);
  // a service that asks for none of it inherits none
  const plain = statements(moduleOf(renderSelinux(securityPlan([servicePlan()]), ctx()), 'hardcompose_demo_web'));
  assert.equal(plain.filter((l) => l.startsWith('(blockinherit')), ['(blockinherit hardcompose_base.net_container)']);
});

test('complain mode makes the domain permissive; enforce does not', () => {
  const arts = renderSelinux(securityPlan([servicePlan({service: 'a', mode: 'complain'}), servicePlan({service: 'b'})]), ctx());
  assert.ok(statements(moduleOf(arts, 'hardcompose_demo_a')).includes('(typepermissive process)'));
  assert.not.match(moduleOf(arts, 'hardcompose_demo_b'), 'typepermissive');
});

test('comment text cannot end the comment line', () => {
  assert.is(cilCommentText('a\nb\rc\u2028d\u202ee'), 'a\\u{a}b\\u{d}c\\u{2028}d\\u{202e}e');
  assert.is(cilCommentText('bind → /etc ro'), 'bind → /etc ro');
  const evil = '/x\n(allow process self (capability (sys_admin)))\r(allow process self (capability (sys_module)))\u2028)';
  const f = bind('web', 0, '/x', '/srv/x', 'read');
  f.detail = evil;
  f.source = `services.web.volumes[0]\n(typepermissive process)`;
  const caps = [{name: 'chown', source: 'services.web', reason: `docker default\n(allow process self (capability (sys_admin)))`, rule: 'capabilities'}];
  const plan = securityPlan([servicePlan({files: [f], capabilities: caps})], {inputs: ['compose.yaml\n(allow process self (capability (sys_rawio)))']});
  const cil = moduleOf(renderSelinux(plan, ctx()), 'hardcompose_demo_web');
  const stmts = statements(cil).join('\n');
  for (const bad of ['sys_admin', 'sys_module', 'sys_rawio', 'typepermissive']) assert.not.match(stmts, bad);
  assert.not.match(cil, '\r');
});

test('type names from host lookups and port tables are validated', () => {
  const f = bind('web', 0, '/x', '/srv/x', 'read');
  for (const bad of ['bad-type', 'x) (allow process self (capability (sys_admin', 'process', 'self', '', 'a.b']) {
    const e = throwsUser(() => renderSelinux(securityPlan([servicePlan({files: [f]})]), ctx({fileTypes: new Map([['/srv/x', bad]])})), 'E_SELINUX_TYPE');
    assert.is(e.where.path, 'services.web.volumes[0]');
  }
  const ports = [{type: 'http port', protocol: 'tcp' as const, low: 80, high: 80}];
  throwsUser(() => renderSelinux(securityPlan([servicePlan({network: net('web', [tcp('web', 80)])})]), ctx({ports})), 'E_SELINUX_TYPE');
});

test('deterministic, LF only, independent of plan order', () => {
  const a = servicePlan({service: 'a', network: net('a', [tcp('a', 80), tcp('a', 22, 1)])});
  const b = servicePlan({service: 'b', files: [bind('b', 0, '/d', '/srv/d', 'write'), bind('b', 1, '/e', '/srv/e', 'read')]});
  const one = renderSelinux(securityPlan([a, b]), ctx());
  const two = renderSelinux(securityPlan([b, {...a, network: {...a.network, ports: [...a.network.ports].reverse()}}]), ctx());
  assert.equal(one, two);
  for (const x of one) {
    assert.not.match(x.content, '\r');
    assert.ok(x.content.endsWith(')\n'));
  }
});

test('fedora flavour: its own base, same per-service statements', () => {
  const plan = securityPlan([servicePlan({network: net('web', [tcp('web', 80)])})]);
  const ref = renderSelinux(plan, ctx());
  const fed = renderSelinux(plan, ctx({flavor: 'fedora'}));
  assert.match(fed[0]!.content, 'svirt_sandbox_domain');
  assert.not.match(ref[0]!.content, 'svirt_sandbox_domain');
  assert.equal(statements(fed[1]!.content), statements(ref[1]!.content));
  throwsUser(() => renderSelinux(plan, ctx({flavor: 'arch' as never})), 'E_SELINUX_FLAVOR');
});

test('port table: semanage format, most specific range wins, port_t for the rest', () => {
  const t = parseSemanagePortList('SELinux Port Type              Proto    Port Number\n\nhttp_cache_port_t  tcp  8080, 10001-10010\nunreserved_port_t  tcp  1024-65535\nssh_port_t tcp 22\ndns_port_t udp 53\n');
  assert.is(portType(t, 'tcp', 8080), 'http_cache_port_t');
  assert.is(portType(t, 'tcp', 10005), 'http_cache_port_t');
  assert.is(portType(t, 'tcp', 8081), 'unreserved_port_t');
  assert.is(portType(t, 'tcp', 22), 'ssh_port_t');
  assert.is(portType(t, 'tcp', 53), 'port_t');
  assert.is(portType(t, 'udp', 53), 'dns_port_t');
  assert.equal(portTypesForRange(t, 'tcp', 8079, 8081), [
    {type: 'unreserved_port_t', ranges: [[8079, 8079], [8081, 8081]]},
    {type: 'http_cache_port_t', ranges: [[8080, 8080]]},
  ]);
  assert.throws(() => parseSemanagePortList('x_port_t tcp 80, eighty'));
  for (const flavor of ['refpolicy', 'fedora'] as const) {
    const table = parseSemanagePortList(embeddedPortTable(flavor));
    assert.is(portType(table, 'tcp', 22), 'ssh_port_t');
    assert.is(portType(table, 'tcp', 80), 'http_port_t');
    assert.is(portType(table, 'tcp', 5432), 'postgresql_port_t');
  }
});

test.run();
