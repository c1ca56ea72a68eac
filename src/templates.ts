/** Data shipped under templates/ (image hints, profile skeletons, CIL base blocks). */
import {readFileSync} from 'node:fs';
import type {ImageHint} from './plan/hints.js';

export const TEMPLATES_DIR = new URL('../../templates/', import.meta.url);

export function loadHints(): ImageHint[] {
  return (JSON.parse(readFileSync(new URL('hints.json', TEMPLATES_DIR), 'utf8')) as {hints: ImageHint[]}).hints;
}
