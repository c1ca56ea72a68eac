/**
 * `hardcompose generate`: load → plan → render → write. One options object in, one typed
 * result out; the command only prints it.
 */
import path from 'node:path';
import {loadProject, type LoadOptions} from '../compose/load.js';
import type {ComposeProject} from '../compose/model.js';
import {ALLOWANCES_FILE} from '../learn/allowances.js';
import {planProject} from '../plan/plan.js';
import {parseTopSteering} from '../plan/steering.js';
import type {Artifact, Backend, Level, Mode, SecurityPlan} from '../plan/types.js';
import {loadHints} from '../templates.js';
import {toolVersion} from '../version.js';

export interface GenerateOptions {
  load: Readonly<LoadOptions>;
  backend?: Backend;
  level?: Level;
  mode?: Mode;
  /** Output folder; relative to the project directory. Default `hardcompose`. */
  out?: string;
  force: boolean;
  selinuxRelabel?: boolean;
}

export interface BuildResult {
  project: ComposeProject;
  plan: SecurityPlan;
  artifacts: Artifact[];
  outDir: string;
  /** How the backend was chosen, for messages. */
  backendFrom: 'flag' | 'x-hardcompose' | 'host';
}

export interface GenerateResult extends BuildResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/** Everything short of writing: the pure pipeline plus the host facts renderers need. */
export async function buildArtifacts(opts: GenerateOptions): Promise<BuildResult> {
  const project = loadProject(opts.load);
  const top = parseTopSteering(project.model['x-hardcompose']);
  let backend: Backend;
  let backendFrom: BuildResult['backendFrom'];
  if (opts.backend) [backend, backendFrom] = [opts.backend, 'flag'];
  else if (top.backend) [backend, backendFrom] = [top.backend, 'x-hardcompose'];
  else {
    const {selinuxEnabled} = await import('../host/lsm.js');
    [backend, backendFrom] = [selinuxEnabled() ? 'selinux' : 'apparmor', 'host'];
  }
  const {readAllowances} = await import('../learn/read.js');
  const allowances = await readAllowances(project.workingDir);
  for (const svc of Object.keys(allowances.file.services)) {
    if (!(svc in project.model.services)) project.warnings.push(`${ALLOWANCES_FILE} has allowances for ${svc}, which is not an active service; they are ignored`);
  }
  const plan = planProject(project, {backend, level: opts.level, mode: opts.mode, toolVersion: toolVersion(), hints: loadHints(), allowances: allowances.file, selinuxRelabel: opts.selinuxRelabel});
  if (allowances.exists) plan.inputs.push(ALLOWANCES_FILE);
  const outDir = path.resolve(project.workingDir, opts.out ?? 'hardcompose');
  const outRel = path.relative(project.workingDir, outDir).split(path.sep).join('/') || '.';
  const {renderAll} = await import('../render/index.js');
  // SELinux renders from host facts (port contexts, file types); read them here, at the edge.
  const selinux = backend === 'selinux' ? (await import('../host/selinux.js')).selinuxRenderContext(plan) : undefined;
  const artifacts = await renderAll(plan, project, {selinuxRelabel: opts.selinuxRelabel ?? false, outRel, extraInputs: allowances.text === undefined ? [] : [{path: ALLOWANCES_FILE, text: allowances.text}], selinux});
  return {project, plan, artifacts, outDir, backendFrom};
}

export async function runGenerate(opts: GenerateOptions): Promise<GenerateResult> {
  const built = await buildArtifacts(opts);
  const {writeArtifacts} = await import('../output/write.js');
  const res = await writeArtifacts(built.outDir, built.artifacts, {force: opts.force});
  return {...built, ...res};
}
