import {Flags} from '@oclif/core';
import {BaseCommand, composeFlags, policyFlags} from '../cli/base.js';

export default class Generate extends BaseCommand {
  static override summary = 'Write one MAC policy per service and the overlay compose file';
  static override flags = {
    ...composeFlags,
    ...policyFlags,
    force: Flags.boolean({description: 'Overwrite generated files that were edited by hand', default: false}),
    json: Flags.boolean({description: 'Print the plan as JSON and nothing else', default: false}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Generate);
    // Shared with the fast path bin/run.js takes when oclif is not needed (src/cli/generate-main.ts).
    const {printGenerate} = await import('../cli/generate-main.js');
    await printGenerate(flags);
  }
}
