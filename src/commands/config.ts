import {Flags} from '@oclif/core';
import {BaseCommand, composeFlags, policyFlags} from '../cli/base.js';

export default class Config extends BaseCommand {
  static override summary = 'Print the normalised compose model, as docker compose config does';
  static override flags = {
    ...composeFlags,
    format: Flags.string({description: 'Output format', options: ['json', 'yaml'], default: 'yaml'}),
    'with-overlay': Flags.boolean({description: 'The model Compose will run: the compose files with the overlay merged last, as hardcompose up would generate it now', default: false}),
    ...policyFlags,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Config);
    const {loadOptionsFromFlags, generateOptionsFromFlags} = await import('../core/context.js');
    const {runConfig, runConfigWithOverlay} = await import('../core/config.js');
    const proc = {cwd: process.cwd(), env: process.env};
    const format = flags.format as 'json' | 'yaml';
    const result = flags['with-overlay'] ? await runConfigWithOverlay(generateOptionsFromFlags(flags, proc), format) : await runConfig(loadOptionsFromFlags(flags, proc), format);
    for (const w of result.project.warnings) this.warnLine(w);
    process.stdout.write(result.text);
  }
}
