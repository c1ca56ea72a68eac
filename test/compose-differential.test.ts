/**
 * Differential test of the loader against the real `docker compose` (the referee, DESIGN.md
 * "Compose"): every awesome-compose project of the shared corpus and every fixture under
 * test/fixtures/compose/<case>/ is loaded in-process by loadProject and by
 * `docker compose … config --format json` with the same flags, the same environment (a fixed
 * HOME) and the same cwd (the case folder); the security-relevant facts of every service and
 * the project name must be equal (test/helpers/compose-facts.ts says what is normalised, and why).
 *
 * A fixture may hold `args.json` ({files, env, profiles, projectName, envFiles, projectDirectory}).
 * A fixture Compose rejects does not belong here but in test/fixtures/bad/.
 */
import {existsSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {test} from 'uvu';
import * as assert from 'uvu/assert';
import {loadProject} from '../src/compose/load.js';
import {type CaseArgs, type Run, caseEnv, composeFlags, corpusDir, pool, readCaseArgs, repoRoot, requireCompose, runComposeAsync} from './helpers/compose-real.js';
import {diffFacts, projectFacts, unescapeCompose} from './helpers/compose-facts.js';

interface Case {
  name: string;
  dir: string;
  args: CaseArgs;
}

const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** Extra flags or environment some corpus projects need, exactly as `docker compose` needs them. */
const CORPUS_ARGS: Record<string, CaseArgs> = {
  plex: {env: {PLEX_MEDIA_PATH: '/srv/media'}},
};

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => statSync(path.join(dir, n)).isDirectory())
    .sort();
}

function corpusCases(): Case[] {
  const dir = corpusDir();
  return subdirs(dir)
    .filter((n) => COMPOSE_NAMES.some((f) => existsSync(path.join(dir, n, f))))
    .map((n) => ({name: `corpus/${n}`, dir: path.join(dir, n), args: CORPUS_ARGS[n] ?? {}}));
}

function fixtureCases(): Case[] {
  const dir = path.join(repoRoot(), 'test/fixtures/compose');
  return subdirs(dir).map((n) => ({name: `fixture/${n}`, dir: path.join(dir, n), args: readCaseArgs(path.join(dir, n))}));
}

function ours(c: Case, env: Record<string, string>) {
  const project = loadProject({
    files: c.args.files ?? [],
    cwd: c.dir,
    env,
    projectName: c.args.projectName,
    projectDirectory: c.args.projectDirectory,
    envFiles: c.args.envFiles ?? [],
    profiles: c.args.profiles ?? [],
  });
  return projectFacts(project.model);
}

function theirs(c: Case, r: Run) {
  if (r.status !== 0) {
    assert.unreachable(`docker compose rejects ${c.name} (exit ${r.status}): ${r.stderr.trim()}\n  a fixture Compose rejects belongs in test/fixtures/bad/`);
  }
  return projectFacts(unescapeCompose(JSON.parse(r.stdout)) as Record<string, unknown>);
}

const corpus = corpusCases();
const fixtures = fixtureCases();
const cases = [...corpus, ...fixtures];
const enabled = requireCompose('compose-differential');
// The referee runs for every case start now, several at a time; each test awaits its own.
const referee = enabled ? pool(cases.map((c) => () => runComposeAsync(composeFlags(c.args), ['config', '--format', 'json'], c.dir, caseEnv(c.args)))) : [];

test('the shared corpus is present and complete enough to mean something', () => {
  assert.ok(corpus.length >= 30, `expected the awesome-compose corpus at ${corpusDir()}, found ${corpus.length} projects`);
  assert.ok(fixtures.length >= 20, `expected at least 20 fixtures, found ${fixtures.length}`);
});

cases.forEach((c, i) => {
  test(`${c.name}: loadProject agrees with docker compose config`, async () => {
    if (!enabled) return;
    const expected = theirs(c, await referee[i]);
    let actual;
    try {
      actual = ours(c, caseEnv(c.args));
    } catch (e) {
      assert.unreachable(`hardcompose rejects ${c.name}, docker compose accepts it: ${(e as Error).message}`);
    }
    const diffs = diffFacts(actual, expected);
    assert.ok(diffs.length === 0, `${c.name} differs from docker compose:\n    ${diffs.join('\n    ')}`);
  });
});

test.run();
