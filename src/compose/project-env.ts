/**
 * The variables a project sees, compose-spec "Interpolation" and docs "Environment variables
 * precedence": the process environment, then `--env-file`s or the project's `.env`.
 */
import path from 'node:path';
import {discoverFiles} from './discover.js';
import {parseDotEnv} from './env.js';
import {displayName, isFile, readText} from './files.js';

/** What `projectEnvironment` needs of the load options. */
export interface EnvironmentOptions {
  files: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  envFiles: string[];
}

/**
 * The variables interpolation sees and the files to load (compose-go cli options, in order):
 * the process environment always wins; `--env-file`s, else the `.env` of the project
 * directory as known so far (`--project-directory`, else the folder of the first file named by
 * `-f` or by COMPOSE_FILE in the process environment, else the current folder) fill in;
 * COMPOSE_FILE may then come from that `.env`; once the files are known, the `.env` of their
 * folder fills in what is still missing.
 */
export function projectEnvironment(opts: EnvironmentOptions, projectDirectory: string | undefined) {
  const processEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) processEnv[k] = v;
  const explicit = opts.envFiles.map((f) => ({absolute: path.resolve(opts.cwd, f), display: f}));
  const named = opts.files.length || processEnv.COMPOSE_FILE ? discoverFiles({files: opts.files, cwd: opts.cwd, env: processEnv, projectDirectory}) : undefined;
  const firstNamed = named?.files.find((f) => f !== '-');
  const firstDir = projectDirectory ?? (firstNamed ? path.dirname(firstNamed) : opts.cwd);
  const dotenv = (dir: string) => [{absolute: path.join(dir, '.env'), display: displayName(path.join(dir, '.env'), opts.cwd)}];
  // Which env file each variable came from, for messages.
  const origin = new Map<string, string>();
  let vars = explicit.length ? withEnvFiles(processEnv, explicit, false, origin) : withEnvFiles(processEnv, dotenv(firstDir), true, origin);
  const found = named ?? discoverFiles({files: [], cwd: opts.cwd, env: vars, projectDirectory});
  const first = found.files[0];
  const workingDir = projectDirectory ?? (first === '-' ? opts.cwd : path.dirname(first));
  if (!explicit.length && workingDir !== firstDir) vars = withEnvFiles(vars, dotenv(workingDir), true, origin);
  return {vars, origin, files: found.files, workingDir, warnings: found.warnings};
}

/**
 * Adds the variables of env files to `base` without overriding it (compose-go dotenv
 * GetEnvFromFile + WithDotEnv): later files override earlier ones; values may refer to `base`
 * and to earlier files.
 */
export function withEnvFiles(base: Record<string, string>, files: Array<{absolute: string; display: string}>, optional: boolean, origin?: Map<string, string>): Record<string, string> {
  let fromFiles: Record<string, string> = {};
  for (const {absolute, display} of files) {
    if (optional && !isFile(absolute)) continue;
    const parsed = parseDotEnv(readText(absolute, display), display, {...fromFiles, ...base});
    for (const k of Object.keys(parsed)) if (!(k in base)) origin?.set(k, display);
    fromFiles = {...fromFiles, ...parsed};
  }
  return {...fromFiles, ...base};
}

