/**
 * The passthrough commands (up, down, run, …, compose) without oclif: they parse their own
 * argv anyway, so bin/run.js calls this directly and skips oclif's start-up (about 100 ms of
 * every `hardcompose up`, issue #8). The oclif classes in src/commands/compose.ts call it too.
 * Imports nothing heavy at module level.
 */
import type {PassthroughEvent} from '../core/passthrough.js';
import {reportError} from './report-error.js';

/** Runs one passthrough command; returns the exit code (Compose's own, or 1/2 for refusals and bad input). */
export async function runPassthroughCommand(sub: string | undefined, argv: string[]): Promise<number> {
  const {scanComposeArgv, scanSubcommandArgv} = await import('../core/passthrough-argv.js');
  const scanned = sub ? scanSubcommandArgv(sub, argv) : scanComposeArgv(argv);
  const {own} = scanned;
  const {generateOptionsFromFlags} = await import('../core/context.js');
  const generate = generateOptionsFromFlags(
    {
      file: own.file,
      'project-name': own.projectName,
      'project-directory': own.projectDirectory,
      'env-file': own.envFile,
      profile: own.profile,
      backend: own.backend,
      level: own.level,
      mode: own.mode,
      out: own.out ?? 'hardcompose',
      'selinux-relabel': own.selinuxRelabel,
    },
    {cwd: process.cwd(), env: process.env},
  );
  const {runPassthrough} = await import('../core/passthrough.js');
  const res = await runPassthrough(
    {subcommand: scanned.subcommand, args: scanned.passthrough, composeGlobals: scanned.composeGlobals, generate, frozen: own.frozen, allowUnconfined: own.allowUnconfined},
    (e) => printEvent(e),
  );
  return res.exitCode;
}

/** Entry for bin/run.js: the same error reporting as the oclif commands. */
export async function main(sub: string, argv: string[]): Promise<number> {
  try {
    return await runPassthroughCommand(sub === 'compose' ? undefined : sub, argv);
  } catch (e) {
    const {text, exitCode} = reportError(e as Error, sub);
    if (text) process.stderr.write(text);
    return exitCode;
  }
}

/** Progress lines go to stderr, so stdout carries only Compose's output. */
function printEvent(e: PassthroughEvent): void {
  const lines: string[] = [];
  switch (e.kind) {
    case 'regenerated': {
      const {built, written, removed, settingsChanged} = e.ensured;
      const rel = (built.outDir.startsWith(process.cwd() + '/') ? built.outDir.slice(process.cwd().length + 1) : built.outDir) || '.';
      lines.push(`hardcompose: regenerated ${rel}/ (${written.length} written${removed.length ? `, ${removed.length} removed` : ''}): backend ${built.plan.backend}, level ${built.plan.level}, mode ${built.plan.mode}`);
      for (const c of settingsChanged) {
        lines.push(`hardcompose: note: the previous outputs had ${c.setting} ${c.from}, now ${c.to}; give --${c.setting} ${c.from} (or set x-hardcompose.${c.setting}) to keep ${c.from}`);
      }
      break;
    }
    case 'unconfined':
    case 'complain':
      lines.push(...e.warning);
      break;
    case 'loaded':
      if (e.outcome.loaded.length) lines.push(`hardcompose: loaded ${e.outcome.loaded.length} ${e.outcome.backend === 'apparmor' ? 'AppArmor profile(s)' : 'SELinux module(s)'}: ${e.outcome.loaded.join(', ')}`);
      break;
    case 'load-skipped':
      lines.push(`hardcompose: note: ${e.reason}`);
      break;
  }
  if (lines.length) process.stderr.write(`${lines.join('\n')}\n`);
}
