/**
 * Image hints: what a few common images need beyond their compose declaration (their own
 * writable state and run directories). Data lives in templates/hints.json; the core reads it
 * and passes it in, so planning stays pure.
 */
export interface ImageHint {
  /** Hint id, shown in provenance as `hint:<id>`. */
  id: string;
  /** Image repository names it applies to (last path component, without tag/digest). */
  images: string[];
  /** Writable paths the image uses at run time (needed at strict level). */
  write?: string[];
  note?: string;
}

/** `docker.io/library/nginx:1.25-alpine@sha256:…` → `nginx`. */
export function imageRepositoryName(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at < 0 ? image : image.slice(0, at);
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return (colon < 0 ? last : last.slice(0, colon)).toLowerCase();
}

export function matchHint(image: string | undefined, hints: readonly ImageHint[]): ImageHint | undefined {
  if (!image) return undefined;
  const repo = imageRepositoryName(image);
  return hints.find((h) => h.images.includes(repo));
}
