/**
 * The distribution-specific data, kept under templates/selinux/ so reviewers can read it:
 * - `base-<flavor>.cil`: the abstract blocks every service module inherits;
 * - `ports-<flavor>.txt`: the port table used when `semanage port -l` is not available.
 *
 * Flavours: `refpolicy` (Debian and other reference-policy distributions; the default, and the
 * one CI compiles against) and `fedora` (container-selinux; names from its policy and udica's
 * templates, not compiled in CI).
 */
import {readFileSync} from 'node:fs';

export type SelinuxFlavor = 'refpolicy' | 'fedora';
export const SELINUX_FLAVORS: readonly SelinuxFlavor[] = ['refpolicy', 'fedora'];
export const DEFAULT_SELINUX_FLAVOR: SelinuxFlavor = 'refpolicy';

/** templates/ at the package root: four levels up from dist/src/render/selinux/. */
const TEMPLATE_DIR = new URL('../../../../templates/selinux/', import.meta.url);

const cache = new Map<string, string>();

function load(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    // Normalise line endings so a checkout with CRLF still renders byte-identical output.
    text = readFileSync(new URL(name, TEMPLATE_DIR), 'utf8').replace(/\r\n?/g, '\n');
    cache.set(name, text);
  }
  return text;
}

export function baseTemplate(flavor: SelinuxFlavor): string {
  return load(`base-${flavor}.cil`);
}

/** The embedded port table, in `semanage port -l` format. */
export function embeddedPortTable(flavor: SelinuxFlavor): string {
  return load(`ports-${flavor}.txt`);
}
