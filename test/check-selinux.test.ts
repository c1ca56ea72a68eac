/**
 * check's SELinux step: the generated CIL is linked with every module of a real policy store in
 * one secilc run (the private store of helpers/selinux-store.ts: refpolicy plus the container
 * and docker modules), and a store without the container module is "not checked", not a pass.
 */
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {selinuxRenderContext} from '../src/host/selinux.js';
import {linkSelinuxModules} from '../src/host/validate.js';
import {planProject} from '../src/plan/plan.js';
import {loadProject} from '../src/compose/load.js';
import {renderSelinux} from '../src/render/selinux/index.js';
import {loadHints} from '../src/templates.js';
import {repoRoot} from './helpers/compose-real.js';
import {ensureSelinuxStore, SELINUX_STORE_TOOLS} from './helpers/selinux-store.js';
import {requireTools} from './helpers/tools.js';

function renderedModules(exampleDir: string): string[] {
  const project = loadProject({files: [], cwd: exampleDir, env: {}, envFiles: [], profiles: []});
  const plan = planProject(project, {backend: 'selinux', toolVersion: '0.1.0', hints: loadHints()});
  const out = mkdtempSync(path.join(os.tmpdir(), 'hc-check-selinux-'));
  return renderSelinux(plan, selinuxRenderContext(plan)).map((a) => {
    const file = path.join(out, a.path);
    mkdirSync(path.dirname(file), {recursive: true});
    writeFileSync(file, a.content);
    return file;
  });
}

test('linkSelinuxModules: the modules of a real stack link with the private store', async () => {
  if (!requireTools('check selinux link', ...SELINUX_STORE_TOOLS, 'matchpathcon', 'semanage')) return;
  const store = ensureSelinuxStore();
  const files = renderedModules(path.join(repoRoot(), 'examples/wordpress-mariadb'));
  const r = await linkSelinuxModules({files, root: store.root});
  assert.is(r.status, 'ok', JSON.stringify(r));
});

test('linkSelinuxModules: a module naming an unknown type fails with secilc\'s explanation', async () => {
  if (!requireTools('check selinux link failure', ...SELINUX_STORE_TOOLS, 'matchpathcon', 'semanage')) return;
  const store = ensureSelinuxStore();
  const files = renderedModules(path.join(repoRoot(), 'examples/wordpress-mariadb'));
  const bad = path.join(path.dirname(files[0]!), 'broken.cil');
  writeFileSync(bad, '(block broken\n  (type process)\n  (allow process no_such_type_t (file (read)))\n)\n');
  const r = await linkSelinuxModules({files: [...files, bad], root: store.root});
  assert.is(r.status, 'failed');
  assert.match((r as {message: string}).message, 'broken.cil');
});

test('linkSelinuxModules: no policy, or one without the container module, is "missing"', async () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'hc-noroot-'));
  const r1 = await linkSelinuxModules({files: [], root: empty});
  assert.is(r1.status, 'missing', 'no etc/selinux/config, or no secilc');
  if (!requireTools('check selinux: system store', 'secilc')) return;
  // The system store of Debian bookworm has no container module (DESIGN.md, SELinux).
  const r2 = await linkSelinuxModules({files: [], root: '/'});
  if (r2.status === 'missing') assert.match(r2.message, /no container module|no SELinux policy/);
});

test.run();
