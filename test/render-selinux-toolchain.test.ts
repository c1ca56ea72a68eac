/**
 * SELinux renderer against the real toolchain: the generated modules are compiled with the
 * policy store's own module CIL (refpolicy + container + docker, see helpers/selinux-store.ts)
 * in ONE secilc run per project, and sesearch/seinfo on the compiled policy show the rules that
 * really exist. No stub policy.
 */
import {cpSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {
  compileCil,
  hasType,
  lookupFileTypes,
  PolicyView,
  readPortTypes,
  runSecilc,
  semoduleInstall,
  semoduleList,
  sesearchAllow,
} from '../src/host/selinux.js';
import type {Artifact, SecurityPlan, ServicePlan} from '../src/plan/types.js';
import {DEVICE_TABLE_SAMPLES, embeddedDeviceType, embeddedPortTable, parseSemanagePortList, renderSelinux, type SelinuxRenderContext} from '../src/render/selinux/index.js';
import {securityPlan, servicePlan} from './helpers/builders.js';
import {ensureSelinuxStore, SELINUX_STORE_TOOLS, type SelinuxStore} from './helpers/selinux-store.js';
import {requireTools} from './helpers/tools.js';

const NAME = 'render-selinux-toolchain';
const ok = requireTools(NAME, ...SELINUX_STORE_TOOLS, 'matchpathcon', 'semanage');

let store: SelinuxStore | undefined;
function getStore(): SelinuxStore {
  store ??= ensureSelinuxStore();
  return store;
}

const work = mkdtempSync(join(tmpdir(), 'hardcompose-selinux-'));
test.after(() => rmSync(work, {recursive: true, force: true}));

function writeArtifacts(dir: string, arts: Artifact[]): string[] {
  const files: string[] = [];
  for (const a of arts) {
    const f = join(dir, a.path.replace(/^selinux\//, ''));
    writeFileSync(f, a.content);
    files.push(f);
  }
  return files;
}

/** Renders, writes and compiles one project with the store's modules: the whole check. */
function compileProject(name: string, plan: SecurityPlan, ctx: SelinuxRenderContext): {policy: string; files: string[]; compileMs: number} {
  const dir = mkdtempSync(join(work, `${name}-`));
  const files = writeArtifacts(dir, renderSelinux(plan, ctx));
  const policy = join(dir, 'policy.bin');
  const t0 = Date.now();
  compileCil([...getStore().cilFiles, ...files], {output: policy});
  return {policy, files, compileMs: Date.now() - t0};
}

// ---------------------------------------------------------------------------------------------
// The project: a web server, a database, a worker without network (complain mode), a VPN.

const cap = (svc: string, name: string, i: number) => ({name, source: `services.${svc}.cap_add[${i}]`, reason: 'cap_add', rule: 'capabilities'});
const dockerDefault = (svc: string, name: string) => ({name, source: `services.${svc}`, reason: 'docker default', rule: 'capabilities'});
const sockets = (svc: string): ServicePlan['network']['sockets'] => [
  {family: 'unix', type: 'any', source: `services.${svc}`, reason: 'local IPC', rule: 'network'},
  {family: 'inet', type: 'stream', source: `services.${svc}`, reason: 'TCP (networks)', rule: 'network'},
  {family: 'inet6', type: 'dgram', source: `services.${svc}`, reason: 'UDP, DNS (networks)', rule: 'network'},
  {family: 'netlink', type: 'raw', source: `services.${svc}`, reason: 'address lookup', rule: 'network'},
];

function shopPlan(): SecurityPlan {
  const web = servicePlan({
    service: 'web',
    project: 'shop',
    capabilities: [dockerDefault('web', 'chown'), dockerDefault('web', 'setuid'), dockerDefault('web', 'setgid'), cap('web', 'net_bind_service', 0)],
    network: {
      mode: 'bridge',
      source: 'services.web',
      sockets: sockets('web'),
      raw: false,
      ports: [
        {port: 80, portEnd: 80, protocol: 'tcp', how: 'published', source: 'services.web.ports[0]', rule: 'ports'},
        {port: 443, portEnd: 443, protocol: 'tcp', how: 'published', source: 'services.web.ports[1]', rule: 'ports'},
      ],
    },
    files: [
      {path: '/usr/share/nginx/html', access: 'deny-write', kind: 'bind', source: 'services.web.volumes[0]', detail: 'bind → /usr/share/nginx/html ro', rule: 'mounts', hostPath: '/srv/shop/html', selinuxRelabel: 'z'},
      // Host paths whose policy types are known (matchpathcon): mysqld_db_t, var_t. Not a config
      // type: refpolicy's container_domain already reads every configfile type (etc_t, …).
      {path: '/backup', access: 'deny-write', kind: 'bind', source: 'services.web.volumes[1]', detail: 'bind → /backup ro', rule: 'mounts', hostPath: '/var/lib/mysql'},
      {path: '/srv/upload', access: 'write', kind: 'bind', source: 'services.web.volumes[4]', detail: 'bind → /srv/upload', rule: 'mounts', hostPath: '/srv/shop-upload'},
      {path: '/var/cache/nginx', access: 'write', kind: 'volume', source: 'services.web.volumes[2]', detail: 'cache (named volume) → /var/cache/nginx', rule: 'mounts'},
      {path: '/run', access: 'write', kind: 'tmpfs', source: 'services.web.tmpfs[0]', detail: 'tmpfs → /run', rule: 'tmpfs'},
      // A description crafted to break out of its comment.
      {path: '/srv/x', access: 'read', kind: 'volume', source: 'services.web.volumes[3]', detail: 'x\n(allow process self (capability (sys_admin)))\n(typepermissive process)', rule: 'mounts'},
    ],
  });
  const db = servicePlan({
    service: 'db',
    project: 'shop',
    capabilities: [dockerDefault('db', 'chown'), dockerDefault('db', 'fowner'), dockerDefault('db', 'setuid'), dockerDefault('db', 'setgid')],
    network: {mode: 'bridge', source: 'services.db', sockets: sockets('db'), raw: false, ports: [{port: 5432, portEnd: 5432, protocol: 'tcp', how: 'exposed', source: 'services.db.expose[0]', rule: 'ports'}]},
    files: [{path: '/var/lib/postgresql/data', access: 'write', kind: 'volume', source: 'services.db.volumes[0]', detail: 'pgdata (named volume) → /var/lib/postgresql/data', rule: 'mounts'}],
  });
  const worker = servicePlan({
    service: 'worker',
    project: 'shop',
    mode: 'complain',
    network: {mode: 'none', source: 'services.worker.network_mode', sockets: [{family: 'unix', type: 'any', source: 'services.worker', reason: 'local IPC', rule: 'network'}], raw: false, ports: []},
  });
  const vpn = servicePlan({
    service: 'vpn',
    project: 'shop',
    // sys_module (WireGuard-style) and mac_override: neverallow-guarded in refpolicy.
    capabilities: [cap('vpn', 'net_admin', 0), dockerDefault('vpn', 'net_raw'), cap('vpn', 'sys_module', 1), cap('vpn', 'mac_override', 2)],
    network: {
      mode: 'bridge',
      source: 'services.vpn',
      sockets: [...sockets('vpn'), {family: 'inet', type: 'raw', source: 'services.vpn.cap_add', reason: 'raw sockets asked for', rule: 'raw-sockets'}],
      raw: true,
      ports: [
        {port: 1194, portEnd: 1194, protocol: 'udp', how: 'published', source: 'services.vpn.ports[0]', rule: 'ports'},
        {port: 9899, portEnd: 9899, protocol: 'sctp', how: 'exposed', source: 'services.vpn.expose[0]', rule: 'ports'},
      ],
    },
    devices: [
      {path: '/dev/net/tun', hostPath: '/dev/net/tun', permissions: 'rwm', source: 'services.vpn.devices[0]', rule: 'devices'},
      {path: '/dev/xvdb', hostPath: '/dev/sdb', permissions: 'r', source: 'services.vpn.devices[1]', rule: 'devices'},
      {path: '/dev/xvdc', hostPath: '/dev/sdc', permissions: 'r', source: 'services.vpn.devices[2]', rule: 'devices'},
    ],
  });
  return securityPlan([web, db, worker, vpn], {project: 'shop', backend: 'selinux'});
}

function hostCtx(): SelinuxRenderContext {
  const plan = shopPlan();
  const paths = plan.services.flatMap((s) => [...s.files.flatMap((f) => (f.hostPath ? [f.hostPath] : [])), ...s.devices.map((d) => d.hostPath)]);
  const ports = readPortTypes();
  return {ports: ports.ports, portSource: ports.source, fileTypes: lookupFileTypes(paths)};
}

const P = (s: string) => `hardcompose_shop_${s}.process`;

test('one secilc run compiles the project with the store; sesearch shows exactly the intended access', async () => {
  if (!ok) return;
  const s = getStore();
  if (s.buildMs) console.log(`  store built in ${s.buildMs} ms (${s.cilFiles.length} modules, cached under ${s.dir})`);
  const t0 = Date.now();
  const ctx = hostCtx();
  assert.is(ctx.portSource, 'semanage');
  assert.is(ctx.fileTypes.get('/var/lib/mysql'), 'mysqld_db_t');
  const {policy, compileMs} = compileProject('shop', shopPlan(), ctx);
  const t1 = Date.now();
  const v = await PolicyView.load(policy, ['web', 'db', 'worker', 'vpn'].map(P), {asTarget: [P('web')]});
  const queryMs = Date.now() - t1;
  const can = (src: string, tgt: string, cls: string, perms: string[]) => v.allows(src, tgt, cls, perms);
  // "must not" checks count conditional rules too: no boolean may open them.
  const never = (src: string, tgt: string, cls: string, perms: string[]) => !v.allows(src, tgt, cls, perms, {includeConditional: true});

  // Every domain exists and system_r may enter it (the role docker's label= uses).
  for (const svc of ['web', 'db', 'worker', 'vpn']) {
    assert.ok(v.types.has(P(svc)), `${P(svc)} exists`);
    assert.ok(v.roleHas('system_r', P(svc)), `${P(svc)} in system_r`);
  }
  // dockerd can start it on the image's files.
  assert.ok(can('dockerd_t', P('web'), 'process', ['transition']), 'dockerd_t → web transition');
  assert.ok(can(P('web'), 'container_file_t', 'file', ['entrypoint']), 'entrypoint');

  // Ports: what is published or exposed, nothing else.
  assert.equal(v.targets(P('web'), 'tcp_socket', 'name_bind', {includeConditional: true}), ['http_port_t'], 'web binds only http_port_t');
  assert.ok(never(P('web'), 'ssh_port_t', 'tcp_socket', ['name_bind']), 'web must not bind tcp 22');
  assert.ok(never(P('web'), 'postgresql_port_t', 'tcp_socket', ['name_bind']), 'web must not bind 5432');
  assert.ok(never(P('web'), 'unreserved_port_t', 'tcp_socket', ['name_bind']), 'web must not bind unlisted high ports');
  assert.equal(v.targets(P('web'), 'udp_socket', 'name_bind', {includeConditional: true}), []);
  assert.equal(v.targets(P('db'), 'tcp_socket', 'name_bind', {includeConditional: true}), ['postgresql_port_t']);
  assert.ok(never(P('db'), 'ssh_port_t', 'tcp_socket', ['name_bind']), 'db must not bind 22');
  assert.ok(can(P('vpn'), 'openvpn_port_t', 'udp_socket', ['name_bind']), 'vpn binds udp 1194');
  assert.ok(can(P('vpn'), 'unreserved_port_t', 'sctp_socket', ['name_bind']), 'vpn binds sctp 9899');
  assert.ok(never(P('vpn'), 'openvpn_port_t', 'tcp_socket', ['name_bind']), 'vpn must not bind tcp 1194');
  assert.ok(can(P('web'), 'postgresql_port_t', 'tcp_socket', ['name_connect']), 'web may connect out (to the db)');

  // Network only with a network.
  assert.ok(can(P('web'), P('web'), 'tcp_socket', ['create', 'listen', 'accept']), 'web tcp socket');
  for (const cls of ['tcp_socket', 'udp_socket', 'rawip_socket', 'packet_socket']) assert.ok(never(P('worker'), P('worker'), cls, ['create']), `worker has no ${cls}`);
  assert.equal(v.targets(P('worker'), 'tcp_socket', 'name_bind', {includeConditional: true}), []);
  assert.ok(can(P('worker'), P('worker'), 'unix_stream_socket', ['create', 'connect']), 'worker keeps unix sockets');
  assert.ok(can(P('vpn'), P('vpn'), 'rawip_socket', ['create']), 'vpn raw sockets');
  assert.ok(never(P('web'), P('web'), 'rawip_socket', ['create']), 'web has no raw sockets');

  // Capabilities: the effective set, plus what container_domain gives every container.
  assert.ok(can(P('web'), P('web'), 'capability', ['net_bind_service', 'chown']), 'web capabilities');
  assert.ok(can(P('web'), P('web'), 'cap_userns', ['net_bind_service']), 'web cap_userns');
  for (const c of ['sys_admin', 'net_admin', 'sys_module', 'net_raw', 'sys_ptrace']) assert.ok(never(P('web'), P('web'), 'capability', [c]), `web must not have ${c}`);
  assert.ok(can(P('vpn'), P('vpn'), 'capability', ['net_admin', 'net_raw', 'sys_module']), 'vpn net_admin, sys_module');
  assert.ok(never(P('vpn'), P('vpn'), 'capability2', ['mac_override']), 'mac_override never');
  assert.ok(never(P('web'), P('web'), 'capability', ['sys_module']), 'web has no sys_module');
  assert.ok(can(P('vpn'), 'fixed_disk_device_t', 'blk_file', ['read']), 'vpn reads the disk it was given');
  assert.ok(never(P('vpn'), 'fixed_disk_device_t', 'blk_file', ['write']), 'read-only device');
  assert.ok(never(P('db'), P('db'), 'capability', ['net_bind_service']), 'db has no net_bind_service');

  // Files: read-only host mount readable, not writable; other services do not get it.
  assert.ok(can(P('web'), 'mysqld_db_t', 'file', ['read', 'open', 'getattr']), 'web reads its read-only host mount');
  assert.ok(never(P('web'), 'mysqld_db_t', 'file', ['write']), 'read-only host mount not writable');
  assert.ok(never(P('web'), 'mysqld_db_t', 'dir', ['add_name']), 'read-only host mount: no new files');
  assert.ok(never(P('db'), 'mysqld_db_t', 'file', ['read']), "db does not read web's mount");
  assert.ok(can(P('web'), 'var_t', 'file', ['write', 'create']), 'web writes its rw host mount');
  assert.ok(can(P('db'), 'container_file_t', 'file', ['write', 'create']), 'db writes its volume');
  assert.ok(can(P('vpn'), 'tun_tap_device_t', 'chr_file', ['read', 'write']), 'vpn uses /dev/net/tun');
  assert.ok(can(P('vpn'), P('vpn'), 'tun_socket', ['create']), 'vpn tun socket');
  assert.ok(never(P('web'), 'tun_tap_device_t', 'chr_file', ['read']), 'web has no tun');
  assert.ok(never(P('web'), 'shadow_t', 'file', ['read']), 'no host secrets');

  // Complain mode; the crafted description stayed a comment.
  assert.ok(v.permissive.has(P('worker')), 'worker permissive');
  assert.not.ok(v.permissive.has(P('web')), 'web enforced');
  assert.ok(never(P('web'), P('web'), 'capability', ['sys_admin']), 'crafted comment granted nothing');

  const total = Date.now() - t0;
  // Reported, not asserted: wall time on a shared 2-CPU runner varies threefold with load.
  console.log(`  shop (4 services): secilc ${compileMs} ms, seinfo/sesearch ${queryMs} ms, whole check ${total} ms`);
});

test('unknown type fails the compile with the statement and its provenance', () => {
  if (!ok) return;
  const plan = securityPlan(
    [servicePlan({service: 'bad', project: 'shop', files: [{path: '/data', access: 'read', kind: 'bind', source: 'services.bad.volumes[0]', detail: 'bind → /data', rule: 'mounts', hostPath: '/srv/data'}]})],
    {project: 'shop'},
  );
  const ctx: SelinuxRenderContext = {ports: [], portSource: 'embedded', fileTypes: new Map([['/srv/data', 'nosuch_file_t']])};
  const t0 = Date.now();
  try {
    compileProject('unknown-type', plan, ctx);
    assert.unreachable('secilc should fail');
  } catch (e) {
    assert.instance(e, UserError);
    const err = e as UserError;
    assert.is(err.code, 'E_SELINUX_COMPILE');
    assert.match(err.message, 'Failed to resolve allow statement');
    assert.match(err.message, 'nosuch_file_t');
    assert.match(err.message, 'services.bad.volumes[0]');
    assert.match(err.message, 'hardcompose_shop_bad.cil:');
  }
  console.log(`  unknown type rejected in ${Date.now() - t0} ms`);
});

test('a base that is missing or a bad inherit fails loudly', () => {
  if (!ok) return;
  const dir = mkdtempSync(join(work, 'nobase-'));
  const arts = renderSelinux(securityPlan([servicePlan({project: 'shop'})], {project: 'shop'}), {ports: [], portSource: 'embedded', fileTypes: new Map()});
  const files = writeArtifacts(dir, arts.filter((a) => !a.path.endsWith('hardcompose_base.cil')));
  const r = runSecilc([...getStore().cilFiles, ...files]);
  assert.not.ok(r.ok);
  assert.match(r.message, 'blockinherit');
  assert.match(r.message, 'hardcompose_base.net_container');
});

test('semodule -i installs base and service modules in one transaction (private store copy)', () => {
  if (!ok) return;
  const root = join(mkdtempSync(join(work, 'root-')), 'root');
  cpSync(getStore().root, root, {recursive: true, verbatimSymlinks: true});
  const dir = mkdtempSync(join(work, 'install-'));
  const files = writeArtifacts(dir, renderSelinux(shopPlan(), hostCtx()));
  const t0 = Date.now();
  const r = semoduleInstall(files, {root, noReload: true});
  assert.ok(r.ok, r.output);
  console.log(`  semodule -i of ${files.length} modules: ${Date.now() - t0} ms`);
  const mods = semoduleList({root});
  for (const m of ['hardcompose_base', 'hardcompose_shop_web', 'hardcompose_shop_db', 'hardcompose_shop_worker', 'hardcompose_shop_vpn']) assert.ok(mods.includes(m), m);
  assert.ok(mods.includes('base'), "refpolicy's base module is untouched");
  const policy = join(root, 'etc', 'selinux', getStore().storeName, 'policy', 'policy.33');
  assert.ok(hasType(policy, P('web')), 'the policy semodule built has the domain');
});

test('fedora base: well-formed CIL whose only names refpolicy lacks are the Fedora-only ones', () => {
  if (!ok) return;
  // Not a Fedora compile (no Fedora policy here): refpolicy plus a declaration of the one
  // container-selinux attribute refpolicy does not have, to catch syntax errors and typos in
  // the names both policies share.
  const dir = mkdtempSync(join(work, 'fedora-'));
  const shim = join(dir, 'fedora_only_names.cil');
  writeFileSync(shim, '(typeattribute svirt_sandbox_domain)\n');
  const plan = securityPlan([servicePlan({project: 'shop', capabilities: [cap('web', 'sys_module', 0)]}), servicePlan({service: 'off', project: 'shop', network: {mode: 'none', source: 'services.off', sockets: [], ports: [], raw: false}})], {project: 'shop'});
  const files = writeArtifacts(dir, renderSelinux(plan, {ports: [], portSource: 'embedded', fileTypes: new Map(), flavor: 'fedora'}));
  const r = runSecilc([...getStore().cilFiles, ...files, shim]);
  assert.ok(r.ok, r.message);
});

test('embedded tables agree with this host: port table vs semanage, device table vs matchpathcon', () => {
  if (!ok) return;
  const live = readPortTypes();
  assert.is(live.source, 'semanage');
  const key = (c: {type: string; protocol: string; low: number; high: number}) => `${c.type} ${c.protocol} ${c.low}-${c.high}`;
  const embedded = parseSemanagePortList(embeddedPortTable('refpolicy')).map(key).sort();
  assert.equal(embedded, live.ports.map(key).sort(), 'templates/selinux/ports-refpolicy.txt is stale: regenerate it with semanage port -l');
  const looked = lookupFileTypes(DEVICE_TABLE_SAMPLES);
  for (const p of DEVICE_TABLE_SAMPLES) assert.is(embeddedDeviceType(p)?.type, looked.get(p), p);
});

test.run();
