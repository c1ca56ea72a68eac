/** In-process generation for golden and corpus tests: the same pipeline the CLI runs, without writing. */
import {cpSync, mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {buildArtifacts, type BuildResult, type GenerateOptions} from '../../src/core/generate.js';

export async function build(dir: string, over: Partial<GenerateOptions> = {}, env: Record<string, string> = {}): Promise<BuildResult> {
  return buildArtifacts({
    load: {files: [], cwd: dir, env: {HOME: '/nonexistent', ...env}, envFiles: [], profiles: []},
    backend: 'apparmor',
    force: false,
    ...over,
  });
}

/** Every file below `dir`, as relative POSIX paths. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

export function readTree(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

/** A copy of a fixture folder at another absolute location. */
export function copyElsewhere(dir: string): string {
  const dst = path.join(mkdtempSync(path.join(os.tmpdir(), 'hc-elsewhere-')), 'nested', path.basename(dir));
  cpSync(dir, dst, {recursive: true});
  return dst;
}
