import {Flags} from '@oclif/core';
import {BaseCommand, composeFlags, policyFlags} from '../cli/base.js';

export default class Load extends BaseCommand {
  static override summary = "Load the project's policies into the kernel (apparmor_parser -r -W, or semodule -i); needs root";
  static override description = 'Regenerates stale outputs first (or fails with --frozen). Not root: prints the exact command to run with sudo.';
  static override flags = {
    ...composeFlags,
    ...policyFlags,
    frozen: Flags.boolean({description: 'Fail (exit 1) when the generated outputs are stale instead of regenerating them', default: false}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Load);
    const {generateOptionsFromFlags} = await import('../core/context.js');
    const {runLoad} = await import('../core/load.js');
    const res = await runLoad({generate: generateOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}), frozen: flags.frozen});
    for (const w of res.ensured.built.project.warnings) this.warnLine(w);
    const out: string[] = [];
    const {written, removed, built} = res.ensured;
    if (written.length || removed.length) out.push(`regenerated ${built.outDir} (${written.length} written${removed.length ? `, ${removed.length} removed` : ''})`);
    const what = res.outcome.backend === 'apparmor' ? 'AppArmor profile(s)' : 'SELinux module(s)';
    if (res.outcome.loaded.length) {
      out.push(`loaded ${res.outcome.loaded.length} ${what} with ${res.outcome.command}:`, ...res.outcome.loaded.map((n) => `  ${n}`));
    } else out.push(`no ${what} to load for project ${built.project.name}`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
