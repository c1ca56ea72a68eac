/**
 * Every awesome-compose project (../shared/corpus) loaded, planned for SELinux and rendered with
 * this host's port and file types; all projects of a level are linked with the store's modules
 * in ONE secilc run (block names differ per project, the base is shared), and sesearch shows
 * that each service may bind exactly the port types of what it publishes or exposes.
 */
import {mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {loadProject} from '../src/compose/load.js';
import {compileCil, lookupFileTypes, PolicyView, readPortTypes} from '../src/host/selinux.js';
import {planProject} from '../src/plan/plan.js';
import type {SecurityPlan} from '../src/plan/types.js';
import {portTypesForRange, renderSelinux, selinuxProcessType, selinuxServices} from '../src/render/selinux/index.js';
import {loadHints} from '../src/templates.js';
import {corpusDir} from './helpers/compose-real.js';
import {ensureSelinuxStore, SELINUX_STORE_TOOLS} from './helpers/selinux-store.js';
import {requireTools} from './helpers/tools.js';

const ok = requireTools('render-selinux-corpus', ...SELINUX_STORE_TOOLS, 'matchpathcon', 'semanage');
const corpus = corpusDir();
const projects = readdirSync(corpus).filter((d) => statSync(path.join(corpus, d)).isDirectory()).sort();
const work = mkdtempSync(path.join(os.tmpdir(), 'hc-selinux-corpus-'));
test.after(() => rmSync(work, {recursive: true, force: true}));

for (const level of ['baseline', 'strict'] as const) {
  test(`corpus (${level}): all projects link in one secilc run; every service binds exactly its ports`, async () => {
    if (!ok) return;
    const store = ensureSelinuxStore();
    const dir = mkdtempSync(path.join(work, `${level}-`));
    const plans: SecurityPlan[] = [];
    const files = new Set<string>();
    const ports = readPortTypes();
    assert.is(ports.source, 'semanage');
    const t00 = Date.now();
    for (const p of projects) {
      const project = loadProject({files: [], cwd: path.join(corpus, p), env: {HOME: '/nonexistent', PLEX_MEDIA_PATH: '/srv/media'}, envFiles: [], profiles: []});
      const plan = planProject(project, {backend: 'selinux', level, toolVersion: '0.0.0', hints: loadHints()});
      const paths = plan.services.flatMap((s) => [...s.files.flatMap((f) => (f.hostPath ? [f.hostPath] : [])), ...s.devices.map((d) => d.hostPath)]);
      for (const a of renderSelinux(plan, {ports: ports.ports, portSource: ports.source, fileTypes: lookupFileTypes(paths)})) {
        const file = path.join(dir, path.basename(a.path));
        assert.ok(!files.has(file) || a.path.endsWith('hardcompose_base.cil'), `${p}: ${a.path} clashes with another project`);
        files.add(file);
        writeFileSync(file, a.content);
      }
      plans.push(plan);
    }
    const loadMs = Date.now() - t00;
    const policy = path.join(dir, 'policy.bin');
    const t0 = Date.now();
    compileCil([...store.cilFiles, ...files], {output: policy});
    const compileMs = Date.now() - t0;

    const domains = plans.flatMap((plan) => selinuxServices(plan).map((s) => ({plan, s, domain: selinuxProcessType(plan.project, s.service)})));
    const t1 = Date.now();
    const v = await PolicyView.load(policy, domains.map((d) => d.domain));
    console.log(`  ${level}: ${projects.length} projects, ${domains.length} services; load+plan+render ${loadMs} ms, secilc ${compileMs} ms, seinfo/sesearch ${Date.now() - t1} ms`);

    for (const {plan, s, domain} of domains) {
      const where = `${plan.project}/${s.service}`;
      assert.ok(v.types.has(domain) && v.roleHas('system_r', domain), `${where}: domain in system_r`);
      for (const proto of ['tcp', 'udp', 'sctp'] as const) {
        const expected = new Set<string>();
        if (s.network.mode !== 'none') {
          for (const p of s.network.ports.filter((x) => x.protocol === proto)) for (const t of portTypesForRange(ports.ports, proto, p.port, p.portEnd)) expected.add(t.type);
        }
        assert.equal(v.targets(domain, `${proto}_socket`, 'name_bind', {includeConditional: true}), [...expected].sort(), `${where}: ${proto} name_bind`);
      }
      assert.is(v.permissive.has(domain), s.mode === 'complain', `${where}: permissive iff complain`);
    }
  });
}

test.run();
