/**
 * Short-syntax tables: ports, volumes and devices as `docker compose config` 2.26 turns them
 * into the long syntax (src/compose/normalize/). Expected values were read from Compose's own
 * output; the few places where hardcompose is stricter say so.
 */
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import type {DeviceMapping, PortConfig, ServiceVolume} from '../src/compose/model.js';
import {normalizeDevices, parseShortDevice} from '../src/compose/normalize/devices.js';
import {normalizePorts, parseShort} from '../src/compose/normalize/ports.js';
import {parseShortVolume} from '../src/compose/normalize/volumes.js';

const WHERE = {file: 'compose.yaml', path: 'services.web.ports[0]'};
const CTX = {file: 'compose.yaml', baseDir: '/proj', home: '/home/u'};

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UserError);
    const u = e as UserError;
    assert.ok(u.where.file && u.where.path, 'the error names file and compose path');
    assert.ok(u.hint, 'and gives a hint');
    return u.code;
  }
  return 'accepted';
}

// ---------------------------------------------------------------- ports

const p = (target: number, published?: string, protocol = 'tcp', host_ip?: string): PortConfig => ({
  mode: 'ingress',
  target,
  protocol,
  ...(host_ip !== undefined ? {host_ip} : {}),
  ...(published !== undefined ? {published} : {}),
});

const PORTS: Array<[string, PortConfig[]]> = [
  ['80', [p(80)]],
  ['8080:80', [p(80, '8080')]],
  ['127.0.0.1:8080:80', [p(80, '8080', 'tcp', '127.0.0.1')]],
  ['127.0.0.1::53/udp', [p(53, undefined, 'udp', '127.0.0.1')]],
  [':80:80', [p(80, '80')]],
  ['0:80', [p(80, '0')]],
  // protocols
  ['53:53/udp', [p(53, '53', 'udp')]],
  ['4000:4000/sctp', [p(4000, '4000', 'sctp')]],
  ['3478:3478/UDP', [p(3478, '3478', 'udp')]],
  // IPv6 host addresses go in brackets
  ['[::1]:8080:80', [p(80, '8080', 'tcp', '::1')]],
  ['[::]:53:53/udp', [p(53, '53', 'udp', '::')]],
  ['[2001:db8::1]:443:443/tcp', [p(443, '443', 'tcp', '2001:db8::1')]],
  ['[::1]::9000', [p(9000, undefined, 'tcp', '::1')]],
  ['[1.2.3.4]:80:80', [p(80, '80', 'tcp', '1.2.3.4')]],
  // ranges: one entry per container port; a host range onto one port stays a range
  ['8000-8002:9000-9002/udp', [p(9000, '8000', 'udp'), p(9001, '8001', 'udp'), p(9002, '8002', 'udp')]],
  ['6000-6002', [p(6000), p(6001), p(6002)]],
  ['5000-5010:5000', [p(5000, '5000-5010')]],
  ['127.0.0.1:7000-7001:7000-7001/udp', [p(7000, '7000', 'udp', '127.0.0.1'), p(7001, '7001', 'udp', '127.0.0.1')]],
];

for (const [spec, expected] of PORTS) {
  test(`port ${JSON.stringify(spec)}`, () => assert.equal(parseShort(spec, WHERE), expected));
}

test('port given as a YAML number', () => assert.equal(normalizePorts([3000], WHERE), [p(3000)]));

test('long-syntax port: published string or integer, protocol as written, extra keys kept', () => {
  const [a, b] = normalizePorts([{target: '22', published: '2222', host_ip: '::1'}, {target: 10000, published: '10000-10010', protocol: 'UDP', mode: 'host', name: 'rtp'}], WHERE);
  assert.equal(a, {mode: 'ingress', target: 22, protocol: 'tcp', published: '2222', host_ip: '::1'});
  assert.equal(b, {mode: 'host', target: 10000, protocol: 'UDP', published: '10000-10010', name: 'rtp'});
});

/** Compose 2.26 refuses each of these too (nat.ParsePortSpec). */
const BAD_PORTS = ['::1:8080:80', 'localhost:80:80', '1.2.3:80:80', '[fe80::1%eth0]:80:80', '[::1]:80', '80-79:80', '-1:80', 'a:80', '80:0', '99999:80', '53:53/icmp', '8000-8002:80-81'];
for (const spec of BAD_PORTS) {
  test(`port ${JSON.stringify(spec)} is refused`, () => assert.is(code(() => parseShort(spec, WHERE)), 'E_PORT'));
}

// ---------------------------------------------------------------- volumes

const bind = (source: string, target: string, extra: Partial<ServiceVolume> = {}, opts: Record<string, unknown> = {}): ServiceVolume =>
  ({type: 'bind', source, target, ...extra, bind: {create_host_path: true, ...opts}}) as ServiceVolume;
const vol = (source: string | undefined, target: string, extra: Partial<ServiceVolume> = {}, opts: Record<string, unknown> = {}): ServiceVolume =>
  ({type: 'volume', ...(source ? {source} : {}), target, ...extra, volume: {...opts}}) as ServiceVolume;

const VOLUMES: Array<[string, ServiceVolume, string?]> = [
  // anonymous and named volumes
  ['/data', vol(undefined, '/data')],
  ['/anon/', vol(undefined, '/anon')],
  ['ab', {type: 'volume', target: 'ab'}, 'one or two characters are always a bare target, without volume: {}'],
  ['vol:/data', vol('vol', '/data')],
  ['vol:/data/', vol('vol', '/data')],
  ['vol:/data:ro', vol('vol', '/data', {read_only: true})],
  ['vol:/data:nocopy', vol('vol', '/data', {}, {nocopy: true})],
  ['vol:/v:ro,nocopy', vol('vol', '/v', {read_only: true}, {nocopy: true})],
  ['vol:/b:z', {type: 'volume', source: 'vol', target: '/b', bind: {selinux: 'z'}, volume: {}} as ServiceVolume, 'Compose keeps bind options on a named volume'],
  ['vol:rel', vol('vol', 'rel'), 'a relative target is left for the engine to refuse, as Compose does'],
  ['vol:C:\\x', vol('vol', 'C:\\x')],
  // bind mounts: relative to the project folder, ~ is HOME, absolute kept as written
  ['./data:/data', bind('/proj/data', '/data')],
  ['../x:/x', bind('/x', '/x')],
  ['./rel/../q/:/f/', bind('/proj/q', '/f')],
  ['/etc/x/:/a/b/', bind('/etc/x/', '/a/b')],
  ['/etc//y/./z/..:/c//d/./e/../', bind('/etc//y/./z/..', '/c/d')],
  ['~/h/:/g/', bind('/home/u/h', '/g')],
  ['~:/home1', bind('/home/u', '/home1')],
  ['~root/x:/home2', bind('/home/u/root/x', '/home2'), 'compose-go ExpandUser joins whatever follows ~ to HOME'],
  // Windows paths
  ['C:\\data:/data', bind('C:\\data', '/data')],
  ['C:/Users/x:/win:ro', bind('C:/Users/x', '/win', {read_only: true})],
  ['d:\\:/d', bind('d:\\', '/d')],
  ['\\\\server\\share\\dir:/unc', bind('\\\\server\\share\\dir', '/unc')],
  ['\\\\server\\share:/unc', bind('/proj/\\\\server\\share', '/unc'), 'a bare UNC share is not absolute for compose-go, so it joins the project folder'],
  ['x:/y:ro:z', bind('x:/y', 'ro', {}, {selinux: 'z'}), 'a one-letter source is a drive: the fields shift, exactly as in Compose'],
  // modes
  ['/a:/b:ro', bind('/a', '/b', {read_only: true})],
  ['/a:/b:ro,rw', bind('/a', '/b')],
  ['/a:/b:rw,ro', bind('/a', '/b', {read_only: true})],
  ['/a:/b:z', bind('/a', '/b', {}, {selinux: 'z'})],
  ['/a:/b:ro,Z', bind('/a', '/b', {read_only: true}, {selinux: 'Z'})],
  ['/a:/b:shared,Z', bind('/a', '/b', {}, {propagation: 'shared', selinux: 'Z'})],
  ['/a:/b:rslave', bind('/a', '/b', {}, {propagation: 'rslave'})],
  ['/a:/b:rprivate', bind('/a', '/b', {}, {propagation: 'rprivate'})],
  ['/a:/b:delegated', bind('/a', '/b'), 'consistency options are accepted and dropped'],
  ['/a:/b:nocopy', {...bind('/a', '/b'), volume: {nocopy: true}} as ServiceVolume, 'Compose records nocopy even on a bind'],
];

for (const [spec, expected, why] of VOLUMES) {
  test(`volume ${JSON.stringify(spec)}${why ? ` (${why})` : ''}`, () => {
    const got = parseShortVolume(spec, 'services.web.volumes[0]', CTX);
    assert.equal({...got, bind: got.bind && {...got.bind}}, {...expected, bind: expected.bind && {...expected.bind}});
  });
}

/** [spec, why]; the first four Compose refuses too, the last only hardcompose. */
const BAD_VOLUMES: Array<[string, string]> = [
  ['/a::/b', 'empty section between colons'],
  [':/x', 'empty section'],
  ['vol:', 'empty target'],
  ['/a:/b:ro:x', 'too many colons'],
  ['/a:/b:rx', 'unknown mode: Compose 2.26 ignores it and leaves the mount writable; hardcompose refuses it'],
];
for (const [spec, why] of BAD_VOLUMES) {
  test(`volume ${JSON.stringify(spec)} is refused (${why})`, () => assert.is(code(() => parseShortVolume(spec, 'services.web.volumes[0]', CTX)), 'E_VOLUME'));
}

// ---------------------------------------------------------------- devices

const dev = (source: string, target: string, permissions: string): DeviceMapping => ({source, target, permissions});

const DEVICES: Array<[string, DeviceMapping, string?]> = [
  ['/dev/fuse', dev('/dev/fuse', '/dev/fuse', 'rwm')],
  ['/dev/ttyUSB0:/dev/ttyS0', dev('/dev/ttyUSB0', '/dev/ttyS0', 'rwm')],
  ['/dev/sda:/dev/xvda:r', dev('/dev/sda', '/dev/xvda', 'r')],
  ['/dev/net/tun:/dev/net/tun:rwm', dev('/dev/net/tun', '/dev/net/tun', 'rwm')],
  ['/dev/kvm:rw', dev('/dev/kvm', 'rw', 'rwm'), 'unlike docker run --device, Compose 2.26 reads the second field as the target'],
  ['/dev/a:/dev/b:', dev('/dev/a', '/dev/b', ''), 'empty permissions stay empty'],
  ['/dev/c::r', dev('/dev/c', '/dev/c', 'r')],
  ['/dev/d:', dev('/dev/d', '/dev/d', 'rwm')],
];
for (const [spec, expected, why] of DEVICES) {
  test(`device ${JSON.stringify(spec)}${why ? ` (${why})` : ''}`, () => assert.equal(parseShortDevice(spec, WHERE), expected));
}

test('long-syntax devices: permissions default to empty, a missing target is refused', () => {
  assert.equal(normalizeDevices([{source: '/dev/e', target: '/dev/f'}, {source: '/dev/g', target: '/dev/h', permissions: 'rw'}], WHERE), [dev('/dev/e', '/dev/f', ''), dev('/dev/g', '/dev/h', 'rw')]);
  assert.is(code(() => normalizeDevices([{source: '/dev/x'}], WHERE)), 'E_DEVICE');
});

test('devices of one file are de-duplicated on the second field as written (/dev/c::r and /dev/d: collide)', () => {
  assert.equal(normalizeDevices(['/dev/c::r', '/dev/d:'], WHERE), [dev('/dev/d', '/dev/d', 'rwm')]);
  assert.equal(normalizeDevices(['/dev/c:/dev/c:r', '/dev/c'], WHERE), [dev('/dev/c', '/dev/c', 'rwm')]);
});

test('devices refused: four fields (Compose too), an empty host path (hardcompose only)', () => {
  assert.is(code(() => parseShortDevice('/dev/sda:/dev/xvda:rw:extra', WHERE)), 'E_DEVICE');
  assert.is(code(() => parseShortDevice(':/dev/b', WHERE)), 'E_DEVICE');
});

test.run();
