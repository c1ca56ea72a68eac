import {Flags} from '@oclif/core';
import {ExitError} from '../errors.js';
import {BaseCommand, composeFlags, policyFlags} from '../cli/base.js';

export default class Check extends BaseCommand {
  static override summary = 'Fail unless the generated files are up to date and valid (for CI)';
  static override description =
    'Exit 0 only when the output folder is exactly what generate would write from the current compose files and variables, and, when the tools are installed, every AppArmor profile compiles with apparmor_parser, the SELinux modules link with the host policy (secilc) and the overlay merges with docker compose config. A check whose tool is missing is reported as not checked. Exit 1 with the list of what failed otherwise.';
  static override flags = {
    ...composeFlags,
    ...policyFlags,
    json: Flags.boolean({description: 'Print one JSON document and nothing else', default: false}),
    'selinux-root': Flags.string({description: 'SELinux: policy root to link the modules against, as semodule -p (default /)'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Check);
    const {generateOptionsFromFlags} = await import('../core/context.js');
    const {runCheck, formatCheck, useUnicode} = await import('../core/check.js');
    const res = await runCheck({...generateOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}), selinuxRoot: flags['selinux-root']});
    if (flags.json) process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
    else {
      for (const w of res.warnings) this.warnLine(w);
      process.stdout.write(formatCheck(res, {unicode: useUnicode(process.env)}));
    }
    if (!res.ok) throw new ExitError(1, '');
  }
}
