import {Flags} from '@oclif/core';
import {ExitError} from '../errors.js';
import {BaseCommand, composeFlags, policyFlags} from '../cli/base.js';

export default class Diff extends BaseCommand {
  static override summary = 'Show what generate would change: a unified diff per file, then a summary per service';
  static override description =
    'Compares the output folder with what generate would write now, without writing anything. The summary lists, per service, each rule added (+), removed (-) or changed (~) with the compose path that caused it. Coloured on a terminal unless NO_COLOR is set.';
  static override flags = {
    ...composeFlags,
    ...policyFlags,
    'exit-code': Flags.boolean({description: 'Exit 1 when the output folder differs from what would be generated', default: false}),
    json: Flags.boolean({description: 'Print one JSON document and nothing else', default: false}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Diff);
    const {generateOptionsFromFlags} = await import('../core/context.js');
    const {runDiff, formatDiff, useColor} = await import('../core/diff.js');
    const res = await runDiff(generateOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
    } else {
      for (const w of res.warnings) this.warnLine(w);
      process.stdout.write(await formatDiff(res, {color: useColor(process.stdout.isTTY, process.env)}));
    }
    if (flags['exit-code'] && res.differs) throw new ExitError(1, '');
  }
}
