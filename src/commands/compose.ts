import {BaseCommand, passthroughFlags} from './base.js';
import type {PassthroughEvent} from '../core/passthrough.js';

/**
 * `hardcompose compose [flags] [--] SUBCOMMAND ARGS…`, and the base of the dedicated passthrough
 * commands (up, down, run, …), which only fix `subcommand`. Parses its own argv (strict = false:
 * every argument that is not hardcompose's goes to Compose, in order), calls runPassthrough and
 * exits with Compose's code.
 */
export default class Compose extends BaseCommand {
  static override summary = 'Run any docker compose subcommand with the overlay';
  static override description = `hardcompose's flags come before the subcommand; everything from the subcommand on is passed to docker compose as given.
Subcommands that start containers (up, run, create, start, restart) first regenerate stale outputs, check that the host applies the policies, and load them.`;
  static override usage = ['compose [FLAGS] [--] SUBCOMMAND [ARGS...]'];
  static override examples = ['<%= config.bin %> compose -- top', '<%= config.bin %> compose -p shop -- images'];
  static override strict = false;
  static override flags = passthroughFlags;
  /** The Compose subcommand a dedicated command stands for; undefined for `compose` itself. */
  static subcommand?: string;

  async run(): Promise<void> {
    const sub = (this.constructor as typeof Compose).subcommand;
    const {scanComposeArgv, scanSubcommandArgv} = await import('../core/passthrough-argv.js');
    const scanned = sub ? scanSubcommandArgv(sub, this.argv) : scanComposeArgv(this.argv);
    const {own} = scanned;
    const {generateOptionsFromFlags} = await import('../core/context.js');
    const generate = generateOptionsFromFlags(
      {
        file: own.file,
        'project-name': own.projectName,
        'project-directory': own.projectDirectory,
        'env-file': own.envFile,
        profile: own.profile,
        backend: own.backend,
        level: own.level,
        mode: own.mode,
        out: own.out ?? 'hardcompose',
        'selinux-relabel': own.selinuxRelabel,
      },
      {cwd: process.cwd(), env: process.env},
    );
    const {runPassthrough} = await import('../core/passthrough.js');
    const res = await runPassthrough(
      {subcommand: scanned.subcommand, args: scanned.passthrough, composeGlobals: scanned.composeGlobals, generate, frozen: own.frozen, allowUnconfined: own.allowUnconfined},
      (e) => printEvent(e),
    );
    process.exitCode = res.exitCode;
  }
}

/** Progress lines go to stderr, so stdout carries only Compose's output. */
function printEvent(e: PassthroughEvent): void {
  const lines: string[] = [];
  switch (e.kind) {
    case 'regenerated': {
      const {built, written, removed, settingsChanged} = e.ensured;
      const rel = (built.outDir.startsWith(process.cwd() + '/') ? built.outDir.slice(process.cwd().length + 1) : built.outDir) || '.';
      lines.push(`hardcompose: regenerated ${rel}/ (${written.length} written${removed.length ? `, ${removed.length} removed` : ''}): backend ${built.plan.backend}, level ${built.plan.level}, mode ${built.plan.mode}`);
      for (const c of settingsChanged) {
        lines.push(`hardcompose: note: the previous outputs had ${c.setting} ${c.from}, now ${c.to}; give --${c.setting} ${c.from} (or set x-hardcompose.${c.setting}) to keep ${c.from}`);
      }
      break;
    }
    case 'unconfined':
      lines.push(...e.warning);
      break;
    case 'loaded':
      if (e.outcome.loaded.length) lines.push(`hardcompose: loaded ${e.outcome.loaded.length} ${e.outcome.backend === 'apparmor' ? 'AppArmor profile(s)' : 'SELinux module(s)'}: ${e.outcome.loaded.join(', ')}`);
      break;
    case 'load-skipped':
      lines.push(`hardcompose: note: ${e.reason}`);
      break;
  }
  if (lines.length) process.stderr.write(`${lines.join('\n')}\n`);
}
