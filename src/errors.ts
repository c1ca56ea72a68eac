/**
 * The closed set of errors hardcompose raises. Only the command layer formats them
 * (src/cli/report-error.ts, used by src/cli/base.ts); stages throw, never print.
 */

/** Where a user error was found: a file, a position in it, and/or a compose path. */
export interface Where {
  file?: string;
  line?: number;
  column?: number;
  /** Compose path such as `services.web.ports[1]`. */
  path?: string;
}

/** Bad input or bad usage: exit code 2, no stack trace. */
export class UserError extends Error {
  readonly kind = 'user' as const;
  constructor(
    /** Stable code such as `E_YAML_SYNTAX`; documented in the README. */
    readonly code: string,
    message: string,
    readonly where: Where = {},
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A bug in hardcompose: the user is asked to report it. */
export class InternalError extends Error {
  readonly kind = 'internal' as const;
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'InternalError';
  }
}

/** A deliberate non-zero exit with a message (e.g. "differs", "refused: unconfined"). */
export class ExitError extends Error {
  readonly kind = 'exit' as const;
  constructor(readonly exitCode: number, message: string) {
    super(message);
    this.name = 'ExitError';
  }
}

export function formatWhere(w: Where): string {
  const parts: string[] = [];
  if (w.file) parts.push(w.line ? `${w.file}:${w.line}${w.column ? `:${w.column}` : ''}` : w.file);
  if (w.path) parts.push(w.path);
  return parts.join(' ');
}
