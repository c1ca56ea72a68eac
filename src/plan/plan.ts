/**
 * The plan stage: ComposeProject + options → SecurityPlan. Pure: everything it needs (image
 * hints, the resolved backend) is passed in.
 */
import type {ComposeProject, ServiceConfig} from '../compose/model.js';
import type {AllowanceFile} from '../learn/allowances.js';
import {type ImageHint, matchHint} from './hints.js';
import type {RuleInput} from './rule.js';
import {overlaps} from './paths.js';
import {RULES} from './rules/index.js';
import {parseSteering, parseTopSteering} from './steering.js';
import type {Backend, FileRule, Finding, Level, Mode, SecurityPlan, ServicePlan} from './types.js';

export interface PlanOptions {
  readonly backend: Backend;
  /** From --level; overrides the top-level x-hardcompose level, not a service's own. */
  readonly level?: Level;
  readonly mode?: Mode;
  readonly toolVersion: string;
  readonly hints: readonly ImageHint[];
  /** hardcompose.allow.yml, when the project has one. */
  readonly allowances?: AllowanceFile;
  /** `--selinux-relabel` (SELinux backend). */
  readonly selinuxRelabel?: boolean;
}

const SEVERITY_ORDER = {high: 0, medium: 1, low: 2, info: 3} as const;

export function planProject(project: ComposeProject, opts: PlanOptions): SecurityPlan {
  const top = parseTopSteering(project.model['x-hardcompose']);
  const level = opts.level ?? top.level ?? 'baseline';
  const mode = opts.mode ?? top.mode ?? 'enforce';
  const serviceOpts = {...opts, level, mode};
  const services = Object.keys(project.model.services)
    .sort()
    .map((name) => planService(project, name, project.model.services[name], serviceOpts));
  const findings: Finding[] = [];
  return {
    project: project.name,
    backend: opts.backend,
    level,
    mode,
    inputs: project.files.map((f) => f.relative),
    toolVersion: opts.toolVersion,
    services,
    findings,
  };
}

function planService(project: ComposeProject, name: string, svc: ServiceConfig, opts: PlanOptions & {level: Level; mode: Mode}): ServicePlan {
  const at = `services.${name}`;
  const steering = parseSteering(svc['x-hardcompose'], name);
  const level = steering.level ?? opts.level;
  const mode = steering.mode ?? opts.mode;
  const existing = (svc.security_opt ?? []).map(String);
  const plan: ServicePlan = {
    service: name,
    profileName: `hardcompose.${project.name}.${name}`,
    level,
    mode,
    skip: false,
    privileged: svc.privileged === true,
    readOnlyRoot: svc.read_only === true,
    capabilities: [],
    files: [],
    devices: [],
    network: {mode: 'bridge', source: at, sockets: [], ports: [], raw: false},
    pidHost: false,
    ipcHost: false,
    findings: [],
    existingSecurityOpt: existing,
    userCapAdd: [],
    userCapDrop: [],
    image: svc.image,
  };
  const input: RuleInput = {project: project.name, name, svc, at, level, backend: opts.backend, steering, hint: matchHint(svc.image, opts.hints), learned: opts.allowances?.services[name], projectDir: project.workingDir, relabel: opts.selinuxRelabel === true && opts.backend === 'selinux'};
  for (let i = 0; i < RULES.length; i++) RULES[i].apply(input, plan);

  const pin = pinnedOption(existing, opts.backend);
  if (pin) {
    plan.pinned = {option: existing[pin.index], source: `${at}.security_opt[${pin.index}]`};
    plan.findings.push({
      code: 'pinned-profile',
      severity: 'medium',
      message: `security_opt already sets ${existing[pin.index]}; hardcompose leaves this service's ${opts.backend === 'apparmor' ? 'AppArmor profile' : 'SELinux label'} alone`,
      source: plan.pinned.source,
      rule: 'plan',
    });
  }
  if (steering.skip) {
    plan.skip = true;
    plan.findings.push({code: 'skipped', severity: 'medium', message: `no hardcompose policy (x-hardcompose.skip: ${steering.skip})`, source: `${at}.x-hardcompose.skip`, rule: 'plan'});
  }
  plan.files = dedupeFiles(plan.files);
  if (level === 'strict') {
    for (const e of plan.files.filter((f) => f.access === 'exec')) {
      const w = plan.files.find((f) => f.access === 'write' && overlaps(f.path, e.path));
      if (w) {
        plan.findings.push({code: 'exec-from-writable', severity: 'medium', message: `${e.path} may be executed and ${w.path} written: files dropped there can run`, source: e.source, rule: e.rule});
      }
    }
  }
  plan.findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || cmp(a.code, b.code) || cmp(a.source, b.source));
  return plan;
}

/** The index of an `apparmor=`/`label=` entry the user set for the chosen backend (Docker also accepts `:` as separator). */
export function pinnedOption(opts: string[], backend: Backend): {index: number} | undefined {
  // A label=level:/user:/role: entry does not choose the process type; only type: and disable do.
  const pins = backend === 'apparmor' ? [/^apparmor[=:]/] : [/^label[=:]type:/, /^label[=:]disable$/];
  const index = opts.findIndex((o) => pins.some((re) => re.test(o)));
  return index >= 0 ? {index} : undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One rule per path and access, the first cause kept; sorted by path so output is stable. */
function dedupeFiles(files: FileRule[]): FileRule[] {
  const seen = new Map<string, FileRule>();
  for (const f of files) {
    const k = `${f.path}\u0000${f.access}`;
    if (!seen.has(k)) seen.set(k, f);
  }
  const out: FileRule[] = [];
  seen.forEach((f) => out.push(f));
  return out.sort((a, b) => cmp(a.path, b.path) || cmp(a.access, b.access));
}
