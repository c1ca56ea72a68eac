/** `hardcompose config`: the normalised model, comparable with `docker compose config --format json`. */
import type {ComposeProject} from '../compose/model.js';
import {loadProject, type LoadOptions} from '../compose/load.js';

export interface ConfigResult {
  project: ComposeProject;
  text: string;
}

export async function runConfig(opts: Readonly<LoadOptions>, format: 'json' | 'yaml'): Promise<ConfigResult> {
  const project = loadProject(opts);
  const sorted = sortKeys(project.model);
  let text: string;
  if (format === 'json') text = `${JSON.stringify(sorted, null, 2)}\n`;
  else {
    const yaml = (await import('js-yaml')).default;
    text = yaml.dump(sorted, {noRefs: true, lineWidth: -1, sortKeys: true});
  }
  return {project, text};
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
