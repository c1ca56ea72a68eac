import {BaseCommand, passthroughFlags} from '../cli/base.js';

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
    const {runPassthroughCommand} = await import('../cli/passthrough-main.js');
    process.exitCode = await runPassthroughCommand((this.constructor as typeof Compose).subcommand, this.argv);
  }
}
