import {Flags} from '@oclif/core';
import {BaseCommand, composeFlags} from '../cli/base.js';

export default class Learn extends BaseCommand {
  static override summary = 'Turn AppArmor/SELinux audit logs into reviewed x-hardcompose allowances';
  static override description =
    'Reads kernel logs (dmesg, /var/log/kern.log, journalctl -k) or /var/log/audit/audit.log, attributes denials to services by profile or domain, and proposes allowances with their evidence. --write records them in hardcompose.allow.yml, which generate reads.';
  static override flags = {
    ...composeFlags,
    from: Flags.string({description: 'Log file to read (repeatable; - for stdin)', multiple: true, required: true}),
    since: Flags.string({description: 'Ignore records before this time (ISO time, epoch seconds, or 30m/2h/1d ago)'}),
    write: Flags.boolean({description: 'Record the proposed allowances in hardcompose.allow.yml', default: false}),
    'allow-sensitive': Flags.boolean({description: 'Also propose sensitive widenings (e.g. /etc/shadow, SYS_ADMIN)', default: false}),
    json: Flags.boolean({description: 'Print JSON and nothing else', default: false}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Learn);
    const {loadOptionsFromFlags} = await import('../core/context.js');
    const {runLearn} = await import('../core/learn.js');
    const res = await runLearn({
      load: loadOptionsFromFlags(flags, {cwd: process.cwd(), env: process.env}),
      from: flags.from,
      since: flags.since,
      write: flags.write,
      allowSensitive: flags['allow-sensitive'],
      now: Date.now(),
    });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      return;
    }
    const c = res.counts;
    const out: string[] = [
      `read ${c.lines} line(s): ${c.records} audit record(s), ${c.attributed} for project ${res.project}, ${c.ignored} for other profiles or domains, ${c.malformed} malformed (skipped)${c.beforeSince ? `, ${c.beforeSince} before --since` : ''}`,
    ];
    const services = [...new Set([...res.suggestions.map((s) => s.service), ...res.findings.map((f) => f.service)])].sort();
    for (const svc of services) {
      out.push('', `${svc}:`);
      for (const s of res.suggestions.filter((x) => x.service === svc)) {
        out.push(`  + ${s.category} ${s.value}  (${s.evidence} record${s.evidence === 1 ? '' : 's'})`);
        for (const e of s.examples) out.push(`      ${e.length > 160 ? `${e.slice(0, 157)}...` : e}`);
      }
      for (const f of res.findings.filter((x) => x.service === svc)) out.push(`  ! ${f.code}: ${f.message} (${f.evidence} record${f.evidence === 1 ? '' : 's'})`);
    }
    if (!services.length) out.push('nothing to propose');
    if (res.written) {
      out.push('', res.written.added.length ? `wrote ${res.written.file}: ${res.written.added.length} new allowance(s)` : `${res.written.file}: nothing new`);
      for (const a of res.written.added) out.push(`  + ${a.service} ${a.category} ${a.value}`);
      out.push('run hardcompose generate and review hardcompose diff before committing');
    } else if (res.suggestions.length) out.push('', 'nothing written: rerun with --write to record these allowances');
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
