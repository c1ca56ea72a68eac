/**
 * The fixed parts of every profile, kept as data under templates/apparmor/ so reviewers can read
 * them without the code. They are read once, when this module loads: a shipped template is part
 * of the program, not user input, and rendering itself stays synchronous and pure.
 */
import {readFileSync} from 'node:fs';
import {InternalError} from '../../errors.js';

/** templates/ at the package root: four levels up from dist/src/render/apparmor/. */
const TEMPLATE_DIR = new URL('../../../../templates/apparmor/', import.meta.url);

export type TemplateName = 'kernel-interfaces' | 'peers' | 'baseline-files' | 'strict-files';

const NAMES: readonly TemplateName[] = ['kernel-interfaces', 'peers', 'baseline-files', 'strict-files'];

function load(name: TemplateName): readonly string[] {
  let text: string;
  try {
    text = readFileSync(new URL(`${name}.apparmor`, TEMPLATE_DIR), 'utf8');
  } catch (e) {
    throw new InternalError(`AppArmor template ${name}.apparmor is missing from the installation`, e);
  }
  // `##` lines are notes for maintainers; blank lines are layout. Neither goes into profiles.
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !l.startsWith('##'));
}

const TEMPLATES = new Map<TemplateName, readonly string[]>(NAMES.map((n) => [n, load(n)]));

/**
 * Template lines with `%NAME%` replaced by `profileName`. The caller validates `profileName`
 * (checkProfileName) before it gets here.
 */
export function templateLines(name: TemplateName, profileName: string): string[] {
  const lines = TEMPLATES.get(name);
  if (!lines) throw new InternalError(`unknown AppArmor template ${name}`);
  return lines.map((l) => l.split('%NAME%').join(profileName));
}

/** Each template as one indented block, cut at its `%NAME%` markers once. */
const BLOCKS = new Map<TemplateName, readonly string[]>(
  [...TEMPLATES].map(([n, lines]) => [n, lines.map((l) => `  ${l}`).join('\n').split('%NAME%')]),
);

/**
 * The same lines as templateLines, indented by two spaces and joined with `\n` into one block
 * (empty for an empty template): a profile costs one join per template, not one per line.
 */
export function templateBlock(name: TemplateName, profileName: string): string {
  const parts = BLOCKS.get(name);
  if (!parts) throw new InternalError(`unknown AppArmor template ${name}`);
  return parts.join(profileName);
}
