/**
 * The one place an error becomes a message and an exit code (0 ok, 1 differs/refused,
 * 2 bad usage or input, 70 a bug). Free of oclif so the passthrough fast path
 * (src/cli/passthrough-main.ts) can use it too.
 */
import {ExitError, InternalError, UserError, formatWhere} from '../errors.js';

const BUG = 'This is a bug in hardcompose. Please report it with the command you ran and the compose files (or a reduced copy).';

export function reportError(err: Error & {oclif?: {exit?: number}}, commandId?: string): {text: string; exitCode: number} {
  if (err instanceof UserError) {
    const where = formatWhere(err.where);
    let text = `error[${err.code}]: ${err.message}\n`;
    if (where) text += `  --> ${where}\n`;
    if (err.hint) text += `  hint: ${err.hint}\n`;
    return {text, exitCode: 2};
  }
  if (err instanceof ExitError) return {text: err.message ? `${err.message}\n` : '', exitCode: err.exitCode};
  if (err instanceof InternalError) return {text: `internal error: ${err.message}\n${BUG}\n`, exitCode: 70};
  // oclif's own parse errors (unknown flag, missing argument) are usage errors: exit 2.
  if (err.oclif?.exit !== undefined && err.oclif.exit !== 0) {
    return {text: `error: ${err.message.replace(/\n+See more help with --help$/, '')}\n  hint: see hardcompose ${commandId ?? ''} --help\n`, exitCode: 2};
  }
  if (err.oclif?.exit === 0) return {text: '', exitCode: 0};
  const stack = process.env.HARDCOMPOSE_DEBUG ? `${err.stack}\n` : '';
  return {text: `internal error: ${err.message}\n${BUG}\n${stack}`, exitCode: 70};
}
