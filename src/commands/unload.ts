import {BaseCommand, composeFlags, policyFlags} from '../cli/base.js';

export default class Unload extends BaseCommand {
  static override summary = "Remove the project's policies from the kernel (apparmor_parser -R, or semodule -r); needs root";
  static override description = 'Works from the output folder (its lock and files), so it still works after the compose files changed. Policies that are not loaded are skipped.';
  static override flags = {...composeFlags, out: policyFlags.out};

  async run(): Promise<void> {
    const {flags} = await this.parse(Unload);
    const {loadOptionsFromFlags} = await import('../core/context.js');
    const {projectLocation} = await import('../core/passthrough.js');
    const {runUnload} = await import('../core/load.js');
    const location = await projectLocation(loadOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}), flags.out);
    const res = await runUnload({location});
    const out: string[] = [];
    if (!res.results.length) out.push(`no generated policies in ${res.outDir}: nothing to unload`);
    for (const r of res.results) {
      const what = r.backend === 'apparmor' ? 'AppArmor profile(s)' : 'SELinux module(s)';
      if (r.removed.length) out.push(`removed ${r.removed.length} ${what} with ${r.command}:`, ...r.removed.map((n) => `  ${n}`));
      else out.push(`no ${what} of ${res.outDir} loaded${r.note ? ` (${r.note})` : ''}`);
      if (r.removed.length && r.note) out.push(`note: ${r.note}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
