import {Args, Flags} from '@oclif/core';
import {BaseCommand, composeFlags, policyFlags} from '../cli/base.js';

export default class Explain extends BaseCommand {
  static override summary = "Show one service's plan: each rule, why it is there, what would remove it";
  static override args = {service: Args.string({description: 'Service name', required: true})};
  static override flags = {...composeFlags, ...policyFlags, json: Flags.boolean({description: 'Print JSON and nothing else', default: false})};

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Explain);
    const {generateOptionsFromFlags} = await import('../core/context.js');
    const {runExplain} = await import('../core/explain.js');
    const {table} = await import('../core/report.js');
    const res = await runExplain(generateOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}), args.service);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({service: res.service.service, profile: res.service.profileName, level: res.service.level, rows: res.rows}, null, 2)}\n`);
      return;
    }
    const sp = res.service;
    const head = `${sp.service}: profile ${sp.profileName}, level ${sp.level}, mode ${sp.mode}${sp.skip ? ', SKIPPED' : ''}${sp.pinned ? `, pinned ${sp.pinned.option}` : ''}`;
    process.stdout.write(`${head}\n\n${table([['RULE', 'ITEM', 'WHY', 'TO REMOVE'], ...res.rows.map((r) => [r.rule, r.item, r.why, r.remove])])}\n`);
  }
}
