/**
 * The shape of one inference rule. Each rule lives in its own file under rules/, has an id,
 * and that id appears in provenance comments, in `explain` and in error references.
 */
import type {ServiceConfig} from '../compose/model.js';
import type {ServiceAllowances} from '../learn/allowances.js';
import type {ImageHint} from './hints.js';
import type {Steering} from './steering.js';
import type {Backend, Level, ServicePlan} from './types.js';

export interface RuleInput {
  readonly project: string;
  readonly name: string;
  readonly svc: ServiceConfig;
  /** Compose path of the service: `services.<name>`. */
  readonly at: string;
  readonly level: Level;
  readonly backend: Backend;
  readonly steering: Steering;
  readonly hint?: ImageHint;
  /** Entries of hardcompose.allow.yml for this service. */
  readonly learned?: ServiceAllowances;
  /** Absolute project directory (bind sources inside it may be relabelled). */
  readonly projectDir: string;
  /** `--selinux-relabel`: relabel project bind mounts with :z (SELinux backend only). */
  readonly relabel: boolean;
}

export interface Rule {
  readonly id: string;
  /** One line for `explain`: why items of this rule exist. */
  readonly summary: string;
  /** One line for `explain`: what in the compose file would remove them. */
  readonly remove: string;
  apply(input: RuleInput, plan: ServicePlan): void;
}
