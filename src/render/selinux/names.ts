/**
 * SELinux names hardcompose generates: one CIL block per service and the shared base module.
 *
 * Facts relied on (CIL reference, "Namespaces" and "Identifiers"; semodule(8)):
 * - a CIL identifier here is `[A-Za-z_][A-Za-z0-9_]*`; `.` is the namespace separator, so a block
 *   `b` declaring `(type process)` defines the type `b.process`, the value of `label=type:`;
 * - `semodule -i DIR/NAME.cil` installs a module called NAME, and a module of an existing name
 *   replaces it. Hence file name == block name, and the base file must never be `base.cil`
 *   (checked in a private store: it overrides refpolicy's own `base` module).
 */
import {UserError} from '../../errors.js';

/** Module and block that hold the shared abstract templates (`selinux/hardcompose_base.cil`). */
export const BASE_BLOCK = 'hardcompose_base';

/** Prefix of every per-service block. */
export const BLOCK_PREFIX = 'hardcompose_';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names that must not appear where a type name is expected: CIL keywords of the allow
 * statement and `process`, which inside a service block resolves to the block's own domain.
 */
const RESERVED = new Set(['self', 'process', 'all', 'and', 'or', 'not', 'xor', 'eq', 'neq', 'dom', 'domby', 'incomp', 'range']);

export function isCilIdentifier(s: string): boolean {
  return IDENT.test(s);
}

/** Map every character outside [A-Za-z0-9_] to `_`. */
export function sanitizeIdentifierPart(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * The block (and module, and file) name of a service: `hardcompose_<project>_<service>` with
 * characters outside [A-Za-z0-9_] mapped to `_`. Two services can map to one name
 * (`my-app`, `my_app`); {@link assignBlockNames} detects that.
 *
 * The result can never equal {@link BASE_BLOCK}: it always has two non-empty parts after the prefix
 * and `base` contains no `_`.
 */
export function selinuxBlockName(project: string, service: string): string {
  if (project === '' || service === '') {
    throw new UserError('E_SELINUX_NAME', `cannot derive an SELinux name from an empty ${project === '' ? 'project' : 'service'} name`, {
      path: service === '' ? 'services' : undefined,
    });
  }
  return `${BLOCK_PREFIX}${sanitizeIdentifierPart(project)}_${sanitizeIdentifierPart(service)}`;
}

/** The domain a service runs in: the value of `security_opt: label=type:…`. */
export function selinuxProcessType(project: string, service: string): string {
  return `${selinuxBlockName(project, service)}.process`;
}

/**
 * Block names for a project's services, in input order. Throws a UserError naming both compose
 * paths when two services map to the same block.
 */
export function assignBlockNames(project: string, services: readonly string[]): Map<string, string> {
  const byBlock = new Map<string, string>();
  const result = new Map<string, string>();
  for (const service of services) {
    const block = selinuxBlockName(project, service);
    const other = byBlock.get(block);
    if (other !== undefined) {
      throw new UserError(
        'E_SELINUX_NAME_COLLISION',
        `services.${other} and services.${service} both map to the SELinux block ${block}`,
        {path: `services.${service}`},
        'rename one of the services: SELinux names keep only letters, digits and _',
      );
    }
    byBlock.set(block, service);
    result.set(service, block);
  }
  return result;
}

/**
 * Checks a type name that comes from outside the renderer (port table, file type lookup) before
 * it is written into policy text: anything else could inject CIL or silently target the
 * service's own domain (`process`).
 */
export function assertTypeName(type: string, what: string, source: string): string {
  if (!isCilIdentifier(type) || RESERVED.has(type)) {
    throw new UserError(
      'E_SELINUX_TYPE',
      `invalid SELinux type name ${JSON.stringify(type)} for ${what}`,
      {path: source},
      'a type name is letters, digits and _ (e.g. httpd_config_t)',
    );
  }
  return type;
}
