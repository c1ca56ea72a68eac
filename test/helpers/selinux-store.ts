/**
 * A private copy of the host's SELinux policy store with refpolicy's container and docker modules
 * added, for compiling generated CIL against the real policy (no stubs). Built once per set of
 * package versions and cached under `.cache/selinux-store/<key>/` at the repository root
 * (gitignored); the system store (/etc/selinux, /var/lib/selinux) is only ever read.
 *
 * Debian facts (bookworm; DESIGN.md "SELinux"):
 * - selinux-policy-default has no container module; selinux-policy-src ships the sources as
 *   /usr/src/selinux-policy-src.tar.zst, with policy/modules/services/{container,docker}.{te,fc};
 *   `make -f /usr/share/selinux/devel/Makefile container.pp docker.pp` builds them from the .te
 *   and .fc alone (their .if files are already among the devel headers; copying them too makes
 *   m4 report duplicate definitions);
 * - a store keeps each module as bzip2'd CIL in
 *   active/modules/<priority>/<name>/cil, disabled ones are listed in active/modules/disabled/,
 *   and the highest priority of a name wins; `semodule -i` installs at priority 400;
 * - `semodule -p ROOT -n` works on ROOT/etc/selinux and ROOT/var/lib/selinux without reloading.
 *
 * Run directly (`node dist/test/helpers/selinux-store.js`) to build the cache ahead of the tests.
 */
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {extractStoreCil} from '../../src/host/selinux.js';
import {fileURLToPath} from 'node:url';

/** Bump when the build below changes, so stale caches are not reused. */
const BUILD_VERSION = 1;
const PACKAGES = ['selinux-policy-default', 'selinux-policy-src', 'selinux-policy-dev', 'policycoreutils', 'semodule-utils', 'secilc', 'libsepol2'];
const SOURCE_TARBALL = '/usr/src/selinux-policy-src.tar.zst';
const DEVEL_MAKEFILE = '/usr/share/selinux/devel/Makefile';
/** Modules added to the copy: container (container_t, container_file_t, …) and docker (dockerd_t). */
export const EXTRA_MODULES = ['container', 'docker'];

/** Commands the store build and the checks need; pass to requireTools. */
export const SELINUX_STORE_TOOLS = ['secilc', 'sesearch', 'seinfo', 'semodule', 'make', 'm4', 'checkmodule', 'semodule_package', 'bzip2', 'tar', 'zstd'];

export interface SelinuxStore {
  /** Cache directory of this build. */
  dir: string;
  /** Private policy root for `semodule -p`. Copy it before installing anything into it. */
  root: string;
  /** Store name (SELINUXTYPE). */
  storeName: string;
  /** Decompressed CIL of every enabled module, one file each (highest priority only). */
  cilFiles: string[];
  key: string;
  /** ms spent building, 0 when taken from the cache. */
  buildMs: number;
}

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"hardcompose"/.test(readFileSync(pkg, 'utf8'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('selinux-store: cannot find the repository root (package.json of hardcompose)');
    dir = up;
  }
}

function sh(cmd: string, args: string[], opts: {cwd?: string} = {}): string {
  const r = spawnSync(cmd, args, {cwd: opts.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 600_000});
  if (r.status !== 0) {
    throw new Error(`selinux-store: ${cmd} ${args.join(' ')} failed (${r.status ?? r.error}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

function storeName(): string {
  const cfg = readFileSync('/etc/selinux/config', 'utf8');
  return /^\s*SELINUXTYPE\s*=\s*(\S+)/m.exec(cfg)?.[1] ?? 'default';
}

function cacheKey(): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Package}=${Version}\\n', ...PACKAGES], {encoding: 'utf8'});
  // dpkg-query exits 1 when one package is unknown but still prints the others.
  const versions = (r.stdout ?? '').trim();
  if (!versions) throw new Error('selinux-store: dpkg-query found none of the SELinux packages; install them (scripts/install-system-deps.sh)');
  return createHash('sha256').update(`v${BUILD_VERSION}\n${storeName()}\n${versions}`).digest('hex').slice(0, 16);
}

let memo: SelinuxStore | undefined;

/** The cached store, built first if needed (about 10 s). */
export function ensureSelinuxStore(): SelinuxStore {
  if (memo) return memo;
  const key = cacheKey();
  const base = join(repoRoot(), '.cache', 'selinux-store');
  const dir = join(base, key);
  const manifest = join(dir, 'store.json');
  let buildMs = 0;
  if (!existsSync(manifest)) {
    const t0 = Date.now();
    build(base, key);
    buildMs = Date.now() - t0;
  }
  const m = JSON.parse(readFileSync(manifest, 'utf8')) as {storeName: string; modules: string[]};
  memo = {dir, root: join(dir, 'root'), storeName: m.storeName, cilFiles: m.modules.map((n) => join(dir, 'cil', `${n}.cil`)), key, buildMs};
  return memo;
}

function build(base: string, key: string): void {
  if (!existsSync(SOURCE_TARBALL)) throw new Error(`selinux-store: ${SOURCE_TARBALL} missing (apt-get install selinux-policy-src)`);
  const name = storeName();
  const systemStore = join('/var/lib/selinux', name);
  if (!existsSync(join(systemStore, 'active', 'modules'))) throw new Error(`selinux-store: no policy store at ${systemStore} (apt-get install selinux-policy-default)`);

  mkdirSync(base, {recursive: true});
  const tmp = join(base, `tmp-${key}-${process.pid}-${Date.now()}`);
  rmSync(tmp, {recursive: true, force: true});
  try {
    // 1. Build the extra modules from the policy sources.
    const src = join(tmp, 'src');
    mkdirSync(src, {recursive: true});
    const wanted = EXTRA_MODULES.flatMap((m) => [`*/policy/modules/services/${m}.te`, `*/policy/modules/services/${m}.fc`]);
    sh('tar', ['--zstd', '-xf', SOURCE_TARBALL, '-C', src, '--wildcards', ...wanted]);
    const build = join(tmp, 'build');
    mkdirSync(build);
    for (const m of EXTRA_MODULES) {
      for (const ext of ['te', 'fc']) {
        const found = findFile(src, `${m}.${ext}`);
        if (!found) throw new Error(`selinux-store: ${m}.${ext} not found in ${SOURCE_TARBALL}`);
        writeFileSync(join(build, `${m}.${ext}`), readFileSync(found));
      }
    }
    sh('make', ['-f', DEVEL_MAKEFILE, ...EXTRA_MODULES.map((m) => `${m}.pp`)], {cwd: build});

    // 2. Private copy of the policy root; semodule only ever sees the copy.
    const root = join(tmp, 'root');
    cpSync('/etc/selinux', join(root, 'etc', 'selinux'), {recursive: true, verbatimSymlinks: true});
    cpSync(systemStore, join(root, 'var', 'lib', 'selinux', name), {recursive: true, verbatimSymlinks: true});
    sh('semodule', ['-p', root, '-n', '-i', ...EXTRA_MODULES.map((m) => join(build, `${m}.pp`))]);

    // 3. Every enabled module's CIL, decompressed, for one secilc run per check.
    const files = extractStoreCil(join(root, 'var', 'lib', 'selinux', name), join(tmp, 'cil'));
    const names = files.map((f) => basename(f, '.cil'));
    for (const m of EXTRA_MODULES) if (!names.includes(m)) throw new Error(`selinux-store: module ${m} missing after semodule -i`);
    writeFileSync(join(tmp, 'store.json'), `${JSON.stringify({storeName: name, modules: names, key}, null, 2)}\n`);
    rmSync(src, {recursive: true, force: true});

    try {
      renameSync(tmp, join(base, key));
    } catch (e) {
      // Another process finished first: keep its build.
      if (!existsSync(join(base, key, 'store.json'))) throw e;
    }
  } finally {
    rmSync(tmp, {recursive: true, force: true});
  }
}

function findFile(dir: string, name: string): string | undefined {
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const f = findFile(p, name);
      if (f) return f;
    } else if (e.name === name) {
      return p;
    }
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const s = ensureSelinuxStore();
  console.log(`${s.dir} (${s.cilFiles.length} modules${s.buildMs ? `, built in ${s.buildMs} ms` : ', cached'})`);
}
