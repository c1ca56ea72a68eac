/** `hardcompose config`: the normalised model, comparable with `docker compose config --format json`. */
import type {ComposeProject} from '../compose/model.js';
import {loadProject, type LoadOptions} from '../compose/load.js';
import {InternalError} from '../errors.js';
import type {GenerateOptions} from './generate.js';

export interface ConfigResult {
  project: ComposeProject;
  text: string;
}

export async function runConfig(opts: Readonly<LoadOptions>, format: 'json' | 'yaml'): Promise<ConfigResult> {
  const project = loadProject(opts);
  return {project, text: await formatModel(project, format)};
}

/** Deterministic key order (Compose prints sorted keys too). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/**
 * `hardcompose config --with-overlay`: the model Compose will run under `hardcompose up`. The
 * outputs are regenerated in memory (nothing is written; stale files on disk do not matter, as up
 * would regenerate them first) and the overlay is loaded after the user's files, through the same
 * loader, as one more file. The loader reads it as standard input (`-`); a user file given as `-`
 * is read first and served to the loader in its place.
 */
export async function runConfigWithOverlay(gen: Readonly<GenerateOptions>, format: 'json' | 'yaml'): Promise<ConfigResult> {
  let stdinText: string | undefined;
  const userStdin = () => (stdinText ??= gen.load.readStdin ? gen.load.readStdin() : '');
  const {buildArtifacts} = await import('./generate.js');
  const built = await buildArtifacts({...gen, load: {...gen.load, readStdin: userStdin}});
  const overlay = built.artifacts.find((a) => a.kind === 'overlay');
  if (!overlay) throw new InternalError('the render stage produced no overlay');
  const files = built.project.files.map((f) => f.absolute);
  let reads = 0;
  const userDashes = files.filter((f) => f === '-').length;
  const project = loadProject({
    ...gen.load,
    files: [...files, '-'],
    // Without -f the first file's folder is the project directory; keep it so.
    projectDirectory: gen.load.projectDirectory ?? built.project.workingDir,
    readStdin: () => (reads++ < userDashes ? userStdin() : overlay.content),
  });
  return {project, text: await formatModel(project, format)};
}

async function formatModel(project: ComposeProject, format: 'json' | 'yaml'): Promise<string> {
  const sorted = sortKeys(project.model);
  if (format === 'json') return `${JSON.stringify(sorted, null, 2)}\n`;
  const yaml = (await import('js-yaml')).default;
  return yaml.dump(sorted, {noRefs: true, lineWidth: -1, sortKeys: true});
}
