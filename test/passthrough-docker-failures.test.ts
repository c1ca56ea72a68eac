/**
 * How hardcompose finds Compose and what it does when Docker fails. Real binaries where the
 * failure can be produced for real (no Compose plugin, an engine that does not answer, the
 * Compose plugin run as a standalone docker-compose); a fake `docker` (a tiny script first in
 * PATH) only for what the real one cannot be made to do: Compose v1, and Compose killed by a
 * signal.
 */
import {chmodSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {cleanEnv, cleanup, containers, hc, makeProject, requireEngine} from './helpers/e2e.js';
import {requireTools} from './helpers/tools.js';
import {findCompose, pluginDirs} from '../src/host/docker.js';

const SYSTEM_PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

function tmp(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

function script(dir: string, name: string, body: string): string {
  mkdirSync(dir, {recursive: true});
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** An environment whose docker CLI sees no Compose plugin (empty DOCKER_CONFIG and HOME). */
function noPluginEnv(pathDirs: string[]): Record<string, string> {
  const home = tmp('hc-home-');
  return cleanEnv({PATH: pathDirs.join(':'), HOME: home, DOCKER_CONFIG: path.join(home, '.docker')});
}

function systemPlugin(): string | undefined {
  return SYSTEM_PLUGIN_DIRS.map((d) => path.join(d, 'docker-compose')).find((f) => existsSync(f));
}

function dockerDir(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v docker'], {encoding: 'utf8'});
  return r.status === 0 ? path.dirname(r.stdout.trim()) : undefined;
}

test('plugin lookup: $DOCKER_CONFIG/cli-plugins first, then config.json cliPluginsExtraDirs, then the system folders', () => {
  const cfg = tmp('hc-cfg-');
  writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({cliPluginsExtraDirs: ['/opt/extra']}));
  assert.equal(pluginDirs({DOCKER_CONFIG: cfg}), [path.join(cfg, 'cli-plugins'), '/opt/extra', ...SYSTEM_PLUGIN_DIRS]);
  assert.equal(pluginDirs({HOME: '/home/u'}).slice(0, 1), ['/home/u/.docker/cli-plugins']);
});

test('no Compose anywhere: exit 1, says what was looked at, nothing generated or started', () => {
  if (!requireTools('compose missing', 'docker')) return;
  if (systemPlugin()) {
    console.log(`  SKIP compose missing: this host has a system-wide plugin ${systemPlugin()}`);
    return;
  }
  const p = makeProject('web', {PORT: 1});
  // the real docker CLI, with no plugin folder of its own and no docker-compose on PATH
  const r = hc(['up', '-d', '--allow-unconfined'], p.dir, {env: noPluginEnv([dockerDir()!])});
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /Docker Compose v2 not found: the docker CLI has no compose plugin and there is no docker-compose v2 on PATH/);
  assert.match(r.stderr, /looked at: .*cli-plugins\/docker-compose/);
  assert.match(r.stderr, /Nothing was started/);
  assert.not.ok(existsSync(path.join(p.dir, 'hardcompose')), 'nothing generated');
});

test('a docker-compose v1 is refused (fake binary: v1 is not installable here)', () => {
  const bin = tmp('hc-fakebin-');
  script(bin, 'docker-compose', 'if [ "$1" = version ]; then echo 1.29.2; exit 0; fi\necho "v1 must not be run" >&2; exit 99');
  const lookup = findCompose(noPluginEnv([bin]));
  assert.is(lookup.found, false);
  if (!lookup.found) assert.match(lookup.why, /is Compose 1\.29\.2; hardcompose needs Compose v2/);
  const p = makeProject('web', {PORT: 1});
  const r = hc(['ps'], p.dir, {env: noPluginEnv([bin])});
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /Compose 1\.29\.2; hardcompose needs Compose v2/);
  assert.not.match(r.stderr, /must not be run/);
});

test('the Compose plugin binary alone on PATH (a standalone docker-compose v2) is used when the docker CLI has no plugin', () => {
  if (!requireEngine('standalone compose')) return;
  const plugin = findCompose(process.env);
  if (!plugin.found || !plugin.compose.path) {
    console.log('  SKIP standalone compose: the plugin file was not found');
    return;
  }
  const bin = tmp('hc-standalone-');
  symlinkSync(plugin.compose.path, path.join(bin, 'docker-compose'));
  const env = noPluginEnv([bin]);
  const lookup = findCompose(env);
  assert.ok(lookup.found && lookup.compose.how === 'standalone', JSON.stringify(lookup));
  const p = makeProject('web', {PORT: 1});
  try {
    const r = hc(['ps', '--format', 'json'], p.dir, {env});
    assert.is(r.status, 0, r.stderr);
    assert.equal(containers(p.name), []);
  } finally {
    cleanup(p);
  }
});

test('an engine that does not answer: Compose fails and its code is returned, nothing started', () => {
  if (!requireEngine('engine down')) return;
  const p = makeProject('web', {PORT: 1});
  try {
    const r = hc(['up', '-d', '--allow-unconfined'], p.dir, {env: cleanEnv({DOCKER_HOST: `unix://${path.join(tmp('hc-nosock-'), 'docker.sock')}`})});
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /Cannot connect to the Docker daemon|no such file or directory/i);
    assert.equal(containers(p.name), []);
  } finally {
    cleanup(p);
  }
});

test('Compose killed by a signal: hardcompose returns 128 + the signal number (fake docker that kills itself)', () => {
  const home = tmp('hc-home-');
  const bin = path.join(home, 'bin');
  script(bin, 'docker', 'kill -KILL $$');
  // a plugin file where the docker CLI looks, so hardcompose picks `docker compose` without asking
  script(path.join(home, '.docker/cli-plugins'), 'docker-compose', 'exit 0');
  const env = cleanEnv({PATH: bin, HOME: home, DOCKER_CONFIG: path.join(home, '.docker')});
  const p = makeProject('web', {PORT: 1});
  const r = hc(['ps'], p.dir, {env});
  assert.is(r.status, 137, r.stderr);
  script(bin, 'docker', 'kill -TERM $$');
  assert.is(hc(['down'], p.dir, {env}).status, 143);
});

test.run();
