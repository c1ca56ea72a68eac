import {Flags} from '@oclif/core';
import {BaseCommand, composeFlags, policyFlags} from '../cli/base.js';

export default class Doctor extends BaseCommand {
  static override summary = 'Report what this host would do with the project: LSMs, Docker, Compose, loaded policies, stale outputs';
  static override flags = {
    ...composeFlags,
    ...policyFlags,
    json: Flags.boolean({description: 'Print the report as JSON and nothing else', default: false}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Doctor);
    const {generateOptionsFromFlags} = await import('../core/context.js');
    const {runDoctor, doctorText} = await import('../core/doctor.js');
    const report = await runDoctor(generateOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}));
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : doctorText(report));
  }
}
