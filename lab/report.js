#!/usr/bin/env node
// Print the lab's report as a table and judge it.
//
//   node lab/report.js REPORT_JSON [--report FILE]
//
// Reads the report the guest wrote (lab/guest/driver.js), prints one line per result (example,
// service, probe, threat, expect, and the outcome under each policy), the kernel, the cost of
// confinement and a summary; copies the JSON to FILE when asked. Exit status: 0 when every
// attack probe was denied and every functional probe allowed under hardcompose (at the level the
// project declares) and the learn round trip went as expected, 1 otherwise, 2 when there is no
// usable report.
import {copyFileSync, mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const src = args[0];
const i = args.indexOf('--report');
const dest = i >= 0 ? args[i + 1] : undefined;

function fail(msg) {
  process.stdout.write(`lab: ${msg}\n`);
  process.exit(2);
}

if (!src) fail('usage: node lab/report.js REPORT_JSON [--report FILE]');
let report;
try {
  report = JSON.parse(readFileSync(src, 'utf8'));
} catch (e) {
  fail(`no report at ${src} (${e.message})`);
}
if (dest) {
  mkdirSync(path.dirname(path.resolve(dest)), {recursive: true});
  copyFileSync(src, dest);
}
if (report.error || !Array.isArray(report.results)) fail(`the guest reported an error: ${report.error ?? 'no results'}`);

const SHORT = {allowed: 'allowed', denied: 'denied', error: 'ERROR', 'not run': '-'};
const cols = ['example', 'service', 'probe', 'threat', 'expect', 'hc-baseline', 'hc-strict', 'docker-default', 'unconfined', ''];
const rows = report.results.map((r) => {
  const mark = (level) => (r.level === level ? '*' : '');
  return [
    r.example.replace(/^lab\/stacks\//, 'lab:').replace(/^examples\//, 'ex:'),
    r.service, r.probe, r.threat, r.expect,
    `${SHORT[r.profiles['hardcompose-baseline']] ?? r.profiles['hardcompose-baseline']}${mark('baseline')}`,
    `${SHORT[r.profiles['hardcompose-strict']] ?? r.profiles['hardcompose-strict']}${mark('strict')}`,
    SHORT[r.profiles['docker-default']] ?? r.profiles['docker-default'],
    SHORT[r.profiles.unconfined] ?? r.profiles.unconfined,
    r.verdict ?? (r.ok ? 'ok' : 'FAIL'),
  ];
});
const width = cols.map((c, k) => Math.max(c.length, ...rows.map((r) => r[k].length)));
const line = (r) => r.map((c, k) => c.padEnd(width[k])).join('  ').trimEnd();
const out = [];
out.push('', `Enforcement lab: kernel ${report.kernel} (${report.kernelVersion}), AppArmor ${report.apparmor}, LSMs ${report.lsm}`);
out.push(`Docker ${report.docker}, Compose ${report.compose}, node ${report.node}, ${report.hardcompose}`);
if (report.hardcomposePath) out.push(`hardcompose ran as: ${report.hardcomposePath.up ?? '?'}; down: ${report.hardcomposePath.down ?? '?'}${report.hardcomposePath.load ? `; ${report.hardcomposePath.load}` : ''}`);
out.push('* = the level the project declares: the `hardcompose` column of the JSON, the one `expect` is about', '');
out.push(line(cols), line(width.map((w) => '-'.repeat(w))));
for (const r of rows) out.push(line(r));

const attacks = report.results.filter((r) => r.threat !== 'function');
const funcs = report.results.filter((r) => r.threat === 'function');
const denied = attacks.filter((r) => r.profiles.hardcompose === 'denied').length;
const allowed = funcs.filter((r) => r.profiles.hardcompose === 'allowed').length;
const beatDocker = attacks.filter((r) => r.profiles.hardcompose === 'denied' && r.profiles['docker-default'] === 'allowed');
const beatProbes = [...new Set(beatDocker.map((r) => r.probe))];
const bad = report.results.filter((r) => (r.verdict ?? (r.ok ? 'ok' : 'FAIL')) === 'FAIL');
const unsure = report.results.filter((r) => r.verdict === 'inconclusive');
const gaps = report.results.filter((r) => r.verdict === 'known-gap');
out.push('');
out.push(`attack probes denied by hardcompose:     ${denied}/${attacks.length} (${new Set(attacks.map((r) => r.probe)).size} probes)`);
out.push(`functional probes allowed by hardcompose: ${allowed}/${funcs.length} (${new Set(funcs.map((r) => r.probe)).size} probes)`);
out.push(`attacks hardcompose denies that docker-default allows: ${beatDocker.length} (${beatProbes.join(', ') || 'none'})`);
const o = report.overhead;
if (o && !o.error && o.medianMs) {
  out.push(`cost of confinement (${o.profile}, ${o.level}; ${o.runs} interleaved runs, median): hardcompose ${o.medianMs.hardcompose} ms, docker-default ${o.medianMs['docker-default']} ms, unconfined ${o.medianMs.unconfined} ms => ${o.percent}% (docker-default ${o.percentDockerDefault}%; fastest runs: ${o.percentOfMinimum ?? '?'}%)`);
} else {
  out.push(`cost of confinement: not measured${o?.error ? ` (${o.error})` : ''}`);
}
if (report.timings) out.push(`guest timings (s): ${Object.entries(report.timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
for (const g of gaps) out.push(`known gap: ${g.example} ${g.service} ${g.probe}: ${g.known}`);
for (const n of report.notes ?? []) out.push(`note: ${n}`);
for (const s of report.stacks ?? []) {
  for (const [policy, rd] of Object.entries(s.rounds ?? {})) {
    for (const [svc, c] of Object.entries(rd.containers ?? {})) {
      if (c?.dockerExec && c.dockerExec !== '?' && c.dockerExec !== c.attr) {
        out.push(`note: ${s.example} ${svc} [${policy}]: docker exec ran as "${c.dockerExec}" while the main process runs as "${c.attr}"; the probes were moved into the main process's label`);
      }
    }
    if (rd.error) out.push(`error: ${s.example} [${policy}]: ${rd.error.split('\n')[0]}`);
    for (const [svc, e] of Object.entries(rd.errors ?? {})) if (e !== rd.error) out.push(`error: ${s.example} ${svc} [${policy}]: ${e.split('\n')[0]}`);
  }
}
// the learn round trip (lab/learn, issue #9): outcomes per phase, what learn proposed and reported
const L = report.learn;
const learnBad = [];
if (L?.skipped) out.push(`note: learn round trip not run: ${L.skipped}`);
else if (L) {
  out.push('', `Learn round trip (${L.stack}, project ${L.project}): enforce, complain, hardcompose learn --write, enforce again`);
  const phases = Object.keys(L.expect ?? {});
  const ops = [...new Set(phases.flatMap((p) => Object.keys(L.expect[p])))];
  const lw = ['operation', ...phases].map((c, k) => Math.max(c.length, ...(k === 0 ? ops : ops.map((o) => `${L.outcomes?.[phases[k - 1]]?.[o]?.outcome ?? '-'} (want ${L.expect[phases[k - 1]][o]})`)).map((x) => x.length)));
  const lrow = (r) => r.map((c, k) => c.padEnd(lw[k])).join('  ').trimEnd();
  out.push(lrow(['operation', ...phases]));
  for (const o of ops) out.push(lrow([o, ...phases.map((p) => `${L.outcomes?.[p]?.[o]?.outcome ?? '-'} (want ${L.expect[p][o]})`)]));
  if (L.learn) {
    out.push(`learn read ${L.complainLogLines} kernel log line(s) of the complain run: ${L.learn.counts.attributed} for the project, ${L.learn.counts.ignored} for other profiles, ${L.learn.counts.malformed} malformed`);
    for (const x of L.learn.suggestions) out.push(`  proposed: ${x.service} ${x.category} ${x.value} (${x.evidence} records)`);
    for (const f of L.learn.findings) out.push(`  finding:  ${f.service} ${f.code}: ${f.message} (${f.evidence} records)`);
  }
  if (L.learnedRule?.length) out.push(`regenerated profile: ${L.learnedRule.join(' | ')}`);
  learnBad.push(...(L.problems ?? []));
  out.push(learnBad.length ? 'learn round trip NOT AS EXPECTED:' : 'learn round trip as expected: the once-denied cache works after learn --write; the attacks stay denied');
  for (const p of learnBad) out.push(`  ${p}`);
}
const explain = (r) => `  ${r.example} ${r.service} ${r.probe} (${r.level}): expected ${r.expect}, got ${r.profiles.hardcompose} (unconfined: ${r.profiles.unconfined}): ${r.detail[`hardcompose-${r.level}`]}`;
if (unsure.length) {
  out.push('', `INCONCLUSIVE (${unsure.length}): the probe could not run cleanly, or the function fails unconfined too:`);
  for (const r of unsure) out.push(explain(r));
}
if (bad.length) {
  out.push('', `NOT AS EXPECTED under hardcompose (${bad.length}):`);
  for (const r of bad) out.push(explain(r));
} else {
  out.push('', `every attack probe denied and every functional probe allowed under hardcompose${gaps.length ? `, except ${gaps.length} known gap(s) listed above` : ''}${unsure.length ? ` (${unsure.length} inconclusive, above)` : ''}`);
}
if (dest) out.push(`report: ${dest}`);
process.stdout.write(`${out.join('\n')}\n`);
process.exit(bad.length || learnBad.length ? 1 : 0);
