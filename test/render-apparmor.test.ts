/**
 * AppArmor renderer: quoting (apparmor.d(5)), profile structure, determinism, and every rendered
 * case compiled by the real apparmor_parser (apparmor_parser(8): -QKT -M /etc/apparmor.d/abi/3.0).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {suite} from 'uvu';
import * as assert from 'uvu/assert';
import {UserError} from '../src/errors.js';
import {compileProfile, compileProfiles, compiledLiterals, listProfileNames} from '../src/host/apparmor.js';
import type {CapabilityGrant, FileRule, SecurityPlan, ServicePlan} from '../src/plan/types.js';
import {commentText, quoteGlobTree, quotePath, renderAppArmor, renderAppArmorProfile} from '../src/render/apparmor/index.js';
import {CAPABILITIES} from '../src/render/apparmor/escape.js';
import {securityPlan, servicePlan} from './helpers/builders.js';
import {requireTools} from './helpers/tools.js';

function throwsUser(fn: () => unknown, code: string, where?: string): UserError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UserError, `expected UserError, got ${String(e)}`);
    const u = e as UserError;
    assert.is(u.code, code);
    if (where !== undefined) assert.is(u.where.path, where);
    assert.ok(u.hint && u.hint.length > 0, 'a hint is given');
    return u;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

// ---------------------------------------------------------------------------------------------
const Escape = suite('render-apparmor: quotePath / quoteGlobTree / commentText');

const QUOTED: [string, string][] = [
  ['/', '"/"'],
  ['/data', '"/data"'],
  ['/a b', '"/a b"'],
  ['/a\\b', '"/a\\x5cb"'],
  ['/a"b', '"/a\\"b"'],
  ['/a*b', '"/a\\*b"'],
  ['/a?b', '"/a\\?b"'],
  ['/a[b]', '"/a\\[b\\]"'],
  ['/a{b}', '"/a\\{b\\}"'],
  ['/a^b', '"/a\\^b"'],
  ['/a,b', '"/a\\,b"'],
  ['/x@{HOME}', '"/x@\\{HOME\\}"'],
  ['/x@{b', '"/x@\\{b"'],
  ['/#include <abstractions/base>', '"/#include <abstractions/base>"'],
  ['/x" rw,', '"/x\\" rw\\,"'],
  ['/x\\" rw,', '"/x\\x5c\\" rw\\,"'],
  ['/a\\n', '"/a\\x5cn"'],
  ['/a\\x41', '"/a\\x5cx41"'],
  ['/a\\ab', '"/a\\x5cab"'],
  ['/a\\', '"/a\\x5c"'],
  ['/a\\\\', '"/a\\x5c\\x5c"'],
  ['/a\\*', '"/a\\x5c\\*"'],
  ['/é/中/😀', '"/é/中/😀"'],
  ['/a\u00a0b', '"/a\u00a0b"'],
  ['/.hidden/..x/x..', '"/.hidden/..x/x.."'],
  ['/$(x)|+.\'~%!&;=<>`', '"/$(x)|+.\'~%!&;=<>`"'],
];

Escape('quotePath escapes every special character and nothing else', () => {
  for (const [path, want] of QUOTED) assert.is(quotePath(path), want, JSON.stringify(path));
});

Escape('quoteGlobTree appends the unescaped tree glob; "/" covers everything', () => {
  assert.is(quoteGlobTree('/'), '"/{,**}"');
  assert.is(quoteGlobTree('/data'), '"/data{,/**}"');
  assert.is(quoteGlobTree('/a{b}'), '"/a\\{b\\}{,/**}"');
  assert.is(quoteGlobTree('/x" rw,'), '"/x\\" rw\\,{,/**}"');
  assert.is(quoteGlobTree('/a\\'), '"/a\\x5c{,/**}"');
});

const REJECTED: [string, string][] = [
  ['', 'empty'],
  ['relative', 'relative'],
  ['./a', 'dot relative'],
  ['/a/', 'trailing slash'],
  ['//a', 'double slash'],
  ['/a//b', 'inner double slash'],
  ['/./a', 'dot segment'],
  ['/a/.', 'trailing dot segment'],
  ['/a/../b', 'dotdot'],
  ['/..', 'root dotdot'],
  ['/a\nb', 'LF'],
  ['/a\rb', 'CR'],
  ['/a\0b', 'NUL'],
  ['/a\tb', 'TAB'],
  ['/a\u000bb', 'VT'],
  ['/a\u001bb', 'ESC'],
  ['/a\u007fb', 'DEL'],
  ['/a\u0085b', 'NEL'],
  ['/a\u009bb', 'CSI'],
  ['/a\u2028b', 'LINE SEPARATOR'],
  ['/a\u2029b', 'PARAGRAPH SEPARATOR'],
  ['/a\u202eb', 'RLO'],
  ['/a\u2066b', 'LRI'],
  ['/a\u200bb', 'ZWSP'],
  ['/a\ufeffb', 'BOM'],
  ['/a\ud800b', 'lone high surrogate'],
  ['/a\udc00b', 'lone low surrogate'],
  ['/x" rw,\n}\nprofile docker-default flags=(unconfined) {', 'profile injection'],
  [`/${'a'.repeat(4095)}`, 'longer than PATH_MAX'],
];

Escape('quotePath and quoteGlobTree reject unsafe paths with E_UNSAFE_PATH and the provenance', () => {
  for (const [path, why] of REJECTED) {
    const e = throwsUser(() => quotePath(path, 'services.web.volumes[3]'), 'E_UNSAFE_PATH', 'services.web.volumes[3]');
    assert.not.ok(/[\n\r]/.test(e.message), `message of ${why} stays on one line`);
    throwsUser(() => quoteGlobTree(path, 'services.web.volumes[3]'), 'E_UNSAFE_PATH', 'services.web.volumes[3]');
  }
});

Escape('commentText keeps comments on one line', () => {
  assert.is(commentText('services.api.volumes[0] ./a:/b:ro'), 'services.api.volumes[0] ./a:/b:ro');
  assert.is(commentText('a\nb'), 'a\\u{000a}b');
  assert.is(commentText('a\r\nb'), 'a\\u{000d}\\u{000a}b');
  assert.is(commentText('a\u2028b\u0085c\0d'), 'a\\u{2028}b\\u{0085}c\\u{0000}d');
  assert.is(commentText('a\ud800b'), 'a\\u{d800}b');
  assert.is(commentText('#include <x> 😀'), '#include <x> 😀');
});

Escape('real parser: each quoted path compiles to exactly the literal path', () => {
  if (!requireTools('quotePath vs apparmor_parser', 'apparmor_parser')) return;
  const paths = QUOTED.map(([p]) => p);
  const rules = paths.flatMap((p) => [`  ${quotePath(p)} r,`, `  ${quoteGlobTree(p)} w,`]);
  const text = `abi <abi/3.0>,\nprofile t {\n${rules.join('\n')}\n}\n`;
  const r = compileProfile({text}, {extraArgs: ['-D', 'rule-exprs']});
  assert.ok(r.ok, r.stderr);
  const literal = compiledLiterals(r.stderr);
  for (const p of paths) {
    assert.ok(literal.exact.has(p), `exact rule for ${JSON.stringify(p)}`);
    if (p !== '/') assert.ok(literal.tree.has(p), `tree rule for ${JSON.stringify(p)}`);
  }
  // "/" as a tree: the root directory and everything below.
  assert.ok(r.stderr.includes('aare: /{,**}   ->   /(|[^\\x00]*)'), 'root tree regex');
});

Escape.run();

// ---------------------------------------------------------------------------------------------
const Profile = suite('render-apparmor: profile');

function grant(name: string, i = 0, reason = 'cap_add'): CapabilityGrant {
  return {name, source: `services.web.cap_add[${i}]`, reason, rule: 'capabilities'};
}

function file(path: string, access: FileRule['access'], i: number, over: Partial<FileRule> = {}): FileRule {
  return {path, access, kind: 'bind', source: `services.web.volumes[${i}]`, detail: `./src${i}:${path}`, rule: 'mounts', ...over};
}

function render(sp: ServicePlan, over: Partial<SecurityPlan> = {}): string {
  return renderAppArmorProfile(securityPlan([sp], over), sp);
}

function ruleLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\s+#.*$/u, '').trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** Every case below is also compiled by the real parser at the end of the suite. */
const compiled: {name: string; text: string}[] = [];
function keep(name: string, text: string): string {
  compiled.push({name, text});
  return text;
}

Profile('header, abi, tunables, flags and the docker-default skeleton', () => {
  const sp = servicePlan({service: 'api', project: 'shop'});
  const text = keep('hardcompose.shop.api', render(sp, {project: 'shop', inputs: ['compose.yaml', 'compose.override.yaml']}));
  const lines = text.split('\n');
  assert.equal(lines.slice(0, 6), [
    '# Generated by hardcompose 0.1.0 from compose.yaml, compose.override.yaml. Edit x-hardcompose, not this file.',
    '# Service api of project shop; level baseline; mode enforce.',
    'abi <abi/3.0>,',
    '#include <tunables/global>',
    '',
    'profile hardcompose.shop.api flags=(attach_disconnected,mediate_deleted) {',
  ]);
  assert.is(lines[6], '  #include <abstractions/base>');
  assert.ok(text.endsWith('}\n'), 'ends with the closing brace and a newline');
  assert.not.ok(text.includes('\r'), 'LF only');
  const rules = ruleLines(text);
  for (const want of [
    'file,',
    'umount,',
    'deny mount,',
    'deny @{PROC}/* w,',
    'deny @{PROC}/sys/[^k]** w,',
    'deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,',
    'deny @{PROC}/sysrq-trigger rwklx,',
    'deny @{PROC}/kcore rwklx,',
    'deny /sys/[^f]*/** wklx,',
    'deny /sys/f[^s]*/** wklx,',
    'deny /sys/fs/[^c]*/** wklx,',
    'deny /sys/fs/c[^g]*/** wklx,',
    'deny /sys/fs/cg[^r]*/** wklx,',
    'deny /sys/firmware/** rwklx,',
    'deny /sys/kernel/security/** rwklx,',
    'deny /sys/fs/cgroup/{,**/}release_agent w,',
    'signal (receive) peer=unconfined,',
    'signal (send,receive) peer=hardcompose.shop.api,',
    'ptrace (trace,read,tracedby,readby) peer=hardcompose.shop.api,',
  ]) {
    assert.ok(rules.includes(want), `has ${want}`);
  }
  assert.ok(text.includes('# Capabilities: none; every capability is denied.'));
  assert.not.ok(rules.some((l) => l.startsWith('capability')), 'no capability rule');
});

Profile('capabilities: one rule each, sorted, with provenance; privileged lists all', () => {
  const sp = servicePlan({capabilities: [grant('net_bind_service', 0), grant('chown', 1), grant('chown', 2, 'x-hardcompose')]});
  const text = keep('hardcompose.demo.web', render(sp));
  const caps = text.split('\n').filter((l) => l.trimStart().startsWith('capability '));
  assert.equal(caps, [
    '  capability chown,             # services.web.cap_add[1] cap_add [capabilities]; services.web.cap_add[2] x-hardcompose [capabilities]',
    '  capability net_bind_service,  # services.web.cap_add[0] cap_add [capabilities]',
  ]);

  const all = servicePlan({service: 'priv', privileged: true, capabilities: CAPABILITIES.map((c, i) => grant(c, i, 'privileged'))});
  const ptext = keep('hardcompose.demo.priv', render(all));
  assert.is(ruleLines(ptext).filter((l) => l.startsWith('capability ')).length, 41);
  assert.ok(ptext.includes('privileged: true'), 'says privileged');
  assert.not.ok(ruleLines(ptext).includes('capability,'), 'never the blanket capability rule');
});

Profile('capabilities: unknown or crafted names are refused', () => {
  throwsUser(() => render(servicePlan({capabilities: [grant('chown, file')]})), 'E_UNKNOWN_CAPABILITY', 'services.web.cap_add[0]');
  throwsUser(() => render(servicePlan({capabilities: [grant('CHOWN')]})), 'E_UNKNOWN_CAPABILITY');
});

Profile('profile names with characters outside [A-Za-z0-9._-] are refused', () => {
  for (const bad of ['hardcompose.a.b c', 'hardcompose.a.b{', 'x/y', '.hidden', 'a\nb', 'a,b', '']) {
    throwsUser(() => render(servicePlan({profileName: bad})), 'E_UNSAFE_NAME');
  }
});

Profile('files at baseline: ro mounts get deny wl on the tree, writable ones rwk; hostPath never rendered', () => {
  const sp = servicePlan({
    service: 'files',
    readOnlyRoot: true,
    files: [
      file('/var/lib/api', 'write', 1, {kind: 'volume', detail: 'api-data:/var/lib/api', hostPath: '/secret/host/place'}),
      file('/etc/api', 'deny-write', 0, {detail: './config:/etc/api:ro', hostPath: '/home/me/config'}),
      file('/opt/tools', 'exec', 2),
      file('/srv/readonly', 'read', 3),
    ],
  });
  const text = keep('hardcompose.demo.files', render(sp));
  assert.ok(text.includes('  deny "/etc/api{,/**}" wl,     # services.web.volumes[0] ./config:/etc/api:ro [mounts]\n'));
  assert.ok(text.includes('  "/var/lib/api{,/**}" rwk,     # services.web.volumes[1] api-data:/var/lib/api [mounts]\n'));
  assert.ok(text.includes('  "/opt/tools{,/**}" mrix,'));
  assert.ok(text.includes('  "/srv/readonly{,/**}" r,'));
  assert.ok(text.includes('read_only: true'), 'read-only root is mentioned');
  assert.not.ok(text.includes('/secret/host') || text.includes('/home/me'), 'host paths never appear');
  const mounts = ruleLines(text).filter((l) => l.includes('{,/**}'));
  assert.equal(mounts, [
    'deny "/etc/api{,/**}" wl,',
    '"/opt/tools{,/**}" mrix,',
    '"/srv/readonly{,/**}" r,',
    '"/var/lib/api{,/**}" rwk,',
  ], 'sorted by path');
});

Profile('hostile detail text stays inside its comment', () => {
  const sp = servicePlan({
    service: 'hostile',
    files: [file('/data', 'write', 0, {detail: './x:/data\n}\nprofile evil flags=(unconfined) {\n', source: 'services.hostile.volumes[0]\u2028x'})],
  });
  const text = keep('hardcompose.demo.hostile', render(sp));
  assert.not.ok(/^profile evil/mu.test(text));
  assert.ok(text.includes('\\u{000a}profile evil'));
  assert.not.ok(text.includes('\u2028'));
});

Profile('network none: deny inet and inet6, keep unix; raw and packet denied', () => {
  const sp = servicePlan({service: 'isolated', network: {mode: 'none', source: 'services.isolated.network_mode', sockets: [], ports: [], raw: false}});
  const rules = ruleLines(keep('hardcompose.demo.isolated', render(sp)));
  for (const want of ['deny network inet,', 'deny network inet6,', 'network unix,', 'deny network inet raw,', 'deny network inet6 raw,', 'deny network packet,']) {
    assert.ok(rules.includes(want), want);
  }
  assert.not.ok(rules.includes('network inet stream,'));
});

Profile('network bridge: socket rules from the plan, ports listed as comments, raw allowed when planned', () => {
  const sp = servicePlan({
    service: 'net',
    network: {
      mode: 'bridge',
      source: 'services.net',
      sockets: [
        {family: 'inet6', type: 'stream', source: 'services.net.ports[0]', reason: 'published port', rule: 'ports'},
        {family: 'inet', type: 'stream', source: 'services.net.ports[0]', reason: 'published port', rule: 'ports'},
        {family: 'inet', type: 'dgram', source: 'rule:dns', reason: 'DNS', rule: 'dns'},
        {family: 'netlink', type: 'raw', source: 'rule:netlink', reason: 'address lookups', rule: 'netlink'},
      ],
      ports: [{port: 443, portEnd: 443, protocol: 'tcp', how: 'published', source: 'services.net.ports[0]', rule: 'ports'}],
      raw: false,
    },
  });
  const text = keep('hardcompose.demo.net', render(sp));
  const net = ruleLines(text).filter((l) => /^(deny )?network /u.test(l));
  assert.equal(net, [
    'network inet dgram,',
    'network inet stream,',
    'network inet6 stream,',
    'network netlink raw,',
    'network unix,',
    'deny network inet raw,',
    'deny network inet6 raw,',
    'deny network packet,',
  ]);
  assert.ok(text.includes('443/tcp published: services.net.ports[0]'));

  const raw = servicePlan({service: 'ping', network: {mode: 'host', source: 'services.ping.network_mode', sockets: [], ports: [], raw: true}});
  const rawRules = ruleLines(keep('hardcompose.demo.ping', render(raw)));
  assert.ok(rawRules.includes('network inet raw,') && rawRules.includes('network packet,'));
  assert.not.ok(rawRules.some((l) => l.startsWith('deny network')), 'no network deny when raw is planned');
});

Profile('complain mode adds the flag', () => {
  const text = keep('hardcompose.demo.learn', render(servicePlan({service: 'learn', mode: 'complain'})));
  assert.ok(text.includes('profile hardcompose.demo.learn flags=(attach_disconnected,mediate_deleted,complain) {\n'));
  assert.ok(text.includes('; mode complain.'));
});

Profile('strict: no blanket file, no exec or exec-mapping under writable trees, deny umount', () => {
  const sp = servicePlan({
    service: 'strict',
    level: 'strict',
    files: [
      file('/var/lib/db', 'write', 0, {kind: 'volume'}),
      file('/tmp', 'write', 1, {kind: 'scratch', source: 'rule:scratch', detail: 'scratch'}),
      file('/etc/db', 'deny-write', 2),
    ],
    devices: [{path: '/dev/fuse', hostPath: '/dev/fuse', permissions: 'rwm', source: 'services.strict.devices[0]', rule: 'devices'}],
  });
  const text = keep('hardcompose.demo.strict', render(sp));
  const rules = ruleLines(text);
  assert.not.ok(rules.includes('file,'), 'no blanket file rule');
  assert.not.ok(rules.includes('umount,'));
  assert.ok(rules.includes('deny umount,') && rules.includes('deny mount,'));
  assert.ok(rules.includes('/** rmix,') && rules.includes('/ r,'));
  for (const p of ['/var/lib/db', '/tmp']) {
    assert.ok(rules.includes(`"${p}{,/**}" rwkl,`), `${p} writable`);
    assert.ok(rules.includes(`audit deny "${p}{,/**}" mx,`), `${p} not executable`);
  }
  assert.ok(rules.includes('deny "/etc/db{,/**}" wl,'));
  assert.not.ok(rules.includes('audit deny "/etc/db{,/**}" mx,'), 'read-only mounts may hold programs');
  assert.ok(rules.includes('"/dev/fuse{,/**}" rw,'));
  // Nothing else grants write: every allow rule with w is a planned tree or the fixed device set.
  const writers = rules.filter((l) => !l.startsWith('deny') && !l.startsWith('audit deny') && /\s[a-z]*w[a-z]*,$/u.test(l));
  assert.equal(writers.sort(), [
    '"/dev/fuse{,/**}" rw,',
    '"/tmp{,/**}" rwkl,',
    '"/var/lib/db{,/**}" rwkl,',
    '/dev/console rw,',
    '/dev/ptmx rw,',
    '/dev/pts/* rw,',
    '/dev/tty rw,',
    '@{PROC}/@{pid}/comm rw,',
    '@{PROC}/@{pid}/task/@{tid}/comm rw,',
  ]);
});

Profile('determinism: same plan, same bytes; input order does not matter', () => {
  const files = [file('/b', 'write', 0), file('/a', 'deny-write', 1), file('/c', 'exec', 2)];
  const caps = [grant('kill', 0), grant('chown', 1), grant('setuid', 2)];
  const one = render(servicePlan({files, capabilities: caps}));
  const two = render(servicePlan({files: [...files].reverse(), capabilities: [...caps].reverse()}));
  assert.is(one, two);
  assert.is(render(servicePlan({files, capabilities: caps})), one);
});

Profile('renderAppArmor: one artifact per confined service, skipped and pinned left out', () => {
  const plan = securityPlan([
    servicePlan({service: 'web'}),
    servicePlan({service: 'db', skip: true}),
    servicePlan({service: 'cache', pinned: {option: 'apparmor=mine', source: 'services.cache.security_opt[0]'}}),
    servicePlan({service: 'api'}),
  ]);
  const arts = renderAppArmor(plan);
  assert.equal(arts.map((a) => [a.path, a.kind]), [
    ['apparmor/hardcompose.demo.api', 'apparmor'],
    ['apparmor/hardcompose.demo.web', 'apparmor'],
  ]);
  assert.is(arts[1].content, renderAppArmorProfile(plan, plan.services[0]));
});

Profile('real parser: every rendered case compiles and defines exactly its profile', () => {
  if (!requireTools('rendered profiles vs apparmor_parser', 'apparmor_parser')) return;
  const dir = mkdtempSync(join(tmpdir(), 'hc-aa-'));
  try {
    const names = new Set(compiled.map((c) => c.name));
    assert.is(names.size, compiled.length, 'distinct names');
    const files = compiled.map((c) => {
      const f = join(dir, c.name);
      writeFileSync(f, c.text);
      return f;
    });
    const batch = compileProfiles(files);
    for (const r of batch.results) assert.ok(r.ok, `${r.file}: ${r.stderr}`);
    assert.ok(batch.ok);
    for (const [i, f] of files.entries()) {
      const n = listProfileNames(f);
      assert.ok(n.ok, n.stderr);
      assert.equal(n.names, [compiled[i].name]);
    }
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});

Profile('host: a broken profile is reported, per file in a batch', () => {
  if (!requireTools('apparmor_parser failures', 'apparmor_parser')) return;
  const bad = compileProfile({text: 'abi <abi/3.0>,\nprofile t {\n  "/a{" r,\n}\n'});
  assert.not.ok(bad.ok);
  assert.match(bad.stderr, /Regex grouping error|Unable to parse/u);
  const dir = mkdtempSync(join(tmpdir(), 'hc-aa-'));
  try {
    const good = join(dir, 'good');
    const broken = join(dir, 'broken');
    writeFileSync(good, render(servicePlan()));
    writeFileSync(broken, 'profile broken {\n  junk\n}\n');
    const b = compileProfiles([good, broken]);
    assert.not.ok(b.ok);
    assert.equal(b.results.map((r) => r.ok), [true, false]);
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});

Profile.run();
