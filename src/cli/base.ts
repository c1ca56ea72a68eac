/**
 * The command layer's shared pieces: compose flags as `docker compose` spells them, and the
 * one place where errors become messages and exit codes (0 ok, 1 differs/failed, 2 bad input).
 */
import {Command, Flags} from '@oclif/core';
import {reportError} from './report-error.js';

export const composeFlags = {
  file: Flags.string({char: 'f', description: 'Compose configuration file (repeatable; - for stdin)', multiple: true, default: []}),
  'project-name': Flags.string({char: 'p', description: 'Project name'}),
  'project-directory': Flags.string({description: 'Alternate working directory (default: the folder of the first file)'}),
  'env-file': Flags.string({description: 'Alternate environment file (repeatable)', multiple: true, default: []}),
  profile: Flags.string({description: 'Profile to enable (repeatable)', multiple: true, default: []}),
};

export interface ComposeFlagValues {
  file: string[];
  'project-name'?: string;
  'project-directory'?: string;
  'env-file': string[];
  profile: string[];
}

export abstract class BaseCommand extends Command {
  /** Prints a warning line on stderr. */
  protected warnLine(message: string): void {
    process.stderr.write(`warning: ${message}\n`);
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<any> {
    const {text, exitCode} = reportError(err, this.id);
    if (text) process.stderr.write(text);
    process.exitCode = exitCode;
  }

}

export const policyFlags = {
  backend: Flags.string({description: 'Policy backend (default: x-hardcompose.backend, else selinux when the host runs SELinux, else apparmor)', options: ['apparmor', 'selinux']}),
  level: Flags.string({description: 'Confinement level (a service\'s own x-hardcompose.level wins)', options: ['baseline', 'strict']}),
  mode: Flags.string({description: 'enforce, or complain to log instead of deny', options: ['enforce', 'complain']}),
  out: Flags.string({description: 'Output folder, relative to the project directory', default: 'hardcompose'}),
  'selinux-relabel': Flags.boolean({description: 'SELinux: add :z to bind mounts in the overlay', default: false}),
};

export interface PolicyFlagValues {
  backend?: string;
  level?: string;
  mode?: string;
  out: string;
  'selinux-relabel': boolean;
}

/**
 * hardcompose's own flags on the passthrough commands (up, run, …). Shown by --help only: those
 * commands are `strict = false` and split their argv with src/core/passthrough-argv.ts, because
 * every other argument goes to Compose in order.
 */
export const passthroughFlags = {
  ...composeFlags,
  ...policyFlags,
  frozen: Flags.boolean({description: 'Fail (exit 1) when the generated outputs are stale instead of regenerating them, as CI would', default: false}),
  'allow-unconfined': Flags.boolean({description: 'Start the containers even when the backend is not active on this host (they run UNCONFINED; a loud warning is printed)', default: false}),
};
