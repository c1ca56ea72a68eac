/**
 * Every awesome-compose project (../shared/corpus) is generated in memory; every profile is
 * compiled by the real apparmor_parser, every overlay merged by the real docker compose.
 */
import {mkdtempSync, readdirSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {compileProfiles, listProfileNames} from '../src/host/apparmor.js';
import {atomicWrite} from '../src/output/write.js';
import {caseEnv, corpusDir, requireCompose, runCompose} from './helpers/compose-real.js';
import {build} from './helpers/generate.js';
import {requireTools} from './helpers/tools.js';

const corpus = corpusDir();
const projects = readdirSync(corpus).filter((d) => statSync(path.join(corpus, d)).isDirectory()).sort();
const env = {PLEX_MEDIA_PATH: '/srv/media'};

test('corpus: present', () => {
  assert.ok(projects.length >= 30, `found ${projects.length} projects in ${corpus}`);
});

for (const level of ['baseline', 'strict'] as const) {
  test(`corpus (${level}): every project generates, every profile compiles and names itself, every overlay merges`, async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), `hc-corpus-${level}-`));
    const profiles: string[] = [];
    const overlays: Array<{project: string; dir: string; overlay: string; services: string[]}> = [];
    for (const p of projects) {
      const dir = path.join(corpus, p);
      const res = await build(dir, {level}, env);
      assert.ok(res.plan.services.length > 0, `${p}: no services`);
      for (const a of res.artifacts) {
        const file = path.join(tmp, p, a.path);
        atomicWrite(file, a.content);
        if (a.kind === 'apparmor') profiles.push(file);
        if (a.kind === 'overlay') overlays.push({project: p, dir, overlay: file, services: res.plan.services.filter((s) => !s.skip && !s.pinned).map((s) => s.service)});
      }
    }
    if (requireTools('corpus compile', 'apparmor_parser')) {
      const r = compileProfiles(profiles);
      assert.equal(r.results.filter((x) => !x.ok).map((x) => `${x.file}: ${x.stderr}`), []);
      const names = listProfileNames(profiles);
      // -N over many files may print in any order (parallel compile): compare as sets of unique names.
      assert.equal([...names.names].sort(), profiles.map((f) => path.basename(f)).sort(), 'the files define exactly their own profiles');
    }
    if (requireCompose('corpus overlay merge')) {
      for (const o of overlays) {
        const r = runCompose(['-f', path.join(o.dir, 'compose.yaml'), '-f', o.overlay], ['config', '--format', 'json'], o.dir, caseEnv({env}));
        // A few corpus projects use compose.yml or docker-compose.yml.
        const run = r.status === 0 ? r : runCompose(['-f', o.overlay], ['config', '--format', 'json'], o.dir, caseEnv({env}));
        if (run !== r) {
          const userFile = ['compose.yml', 'docker-compose.yml', 'docker-compose.yaml'].find((f) => {
            try {
              return statSync(path.join(o.dir, f)).isFile();
            } catch {
              return false;
            }
          });
          const r2 = runCompose(['-f', path.join(o.dir, userFile ?? 'compose.yaml'), '-f', o.overlay], ['config', '--format', 'json'], o.dir, caseEnv({env}));
          assert.is(r2.status, 0, `${o.project}: ${r2.stderr}`);
          check(o, JSON.parse(r2.stdout));
        } else check(o, JSON.parse(r.stdout));
      }
    }
  });
}

function check(o: {project: string; services: string[]}, model: {name: string; services: Record<string, {security_opt?: string[]}>}) {
  for (const s of o.services) {
    const opts = model.services[s]?.security_opt ?? [];
    assert.ok(opts.includes(`apparmor=hardcompose.${model.name}.${s}`), `${o.project}/${s}: ${JSON.stringify(opts)}`);
  }
}

test.run();
