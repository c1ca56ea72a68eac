import {Flags} from '@oclif/core';
import {BaseCommand, composeFlags} from './base.js';

export default class Config extends BaseCommand {
  static override summary = 'Print the normalised compose model, as docker compose config does';
  static override flags = {
    ...composeFlags,
    format: Flags.string({description: 'Output format', options: ['json', 'yaml'], default: 'yaml'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Config);
    const {loadOptionsFromFlags} = await import('../core/context.js');
    const {runConfig} = await import('../core/config.js');
    const result = await runConfig(loadOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}), flags.format as 'json' | 'yaml');
    for (const w of result.project.warnings) this.warnLine(w);
    process.stdout.write(result.text);
  }
}
