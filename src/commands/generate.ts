import path from 'node:path';
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
    const {generateOptionsFromFlags} = await import('../core/context.js');
    const {runGenerate} = await import('../core/generate.js');
    const {planJson, findingsBySeverity} = await import('../core/report.js');
    const res = await runGenerate(generateOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({...planJson(res.plan), outDir: res.outDir, written: res.written, unchanged: res.unchanged, removed: res.removed, warnings: res.project.warnings}, null, 2)}\n`);
      return;
    }
    for (const w of res.project.warnings) this.warnLine(w);
    // One path.relative for the folder, not one per file (a thousand lines for a thousand
    // services); the general form when the current folder is inside the output folder.
    const cwd = process.cwd();
    const outRel = path.relative(cwd, res.outDir);
    const rel =
      outRel === '..' || outRel.startsWith(`..${path.sep}`) || path.isAbsolute(outRel)
        ? (p: string) => path.relative(cwd, path.join(res.outDir, p)) || '.'
        : (p: string) => (outRel ? `${outRel}${path.sep}${p.split('/').join(path.sep)}` : p.split('/').join(path.sep));
    const out: string[] = [`project ${res.plan.project}: backend ${res.plan.backend} (${res.backendFrom}), level ${res.plan.level}, mode ${res.plan.mode}`];
    for (const p of res.written) out.push(`  wrote     ${rel(p)}`);
    for (const p of res.removed) out.push(`  removed   ${rel(p)}`);
    if (res.unchanged.length) out.push(`  unchanged ${res.unchanged.length} file(s)`);
    const findings = findingsBySeverity(res.plan);
    if (findings.length) out.push('findings:', ...findings.map((l) => `  ${l}`));
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
