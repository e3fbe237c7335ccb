/** Strong entity tags from store revisions, and the RFC 9110 §13 header parsing around them. */

/** The ETag of a stored revision; revisions never repeat, so the tag is strong. */
export function formatETag(revision: number): string {
  return `"${revision}"`;
}

/** A parsed `If-Match`/`If-None-Match` value: `*`, or the entity tags listed. */
export type EntityTagList = '*' | readonly { weak: boolean; revision: number | undefined }[];

/**
 * Parses a list of entity tags (RFC 9110 §8.8.3). Tags that are not one of ours parse with an
 * undefined revision, so they never match, as the RFC requires for unknown tags.
 */
export function parseEntityTags(header: string): EntityTagList {
  if (header.trim() === '*') return '*';
  const tags: { weak: boolean; revision: number | undefined }[] = [];
  for (const match of header.matchAll(/(W\/)?"([^"]*)"/g)) {
    const value = match[2] ?? '';
    const revision = /^[1-9]\d{0,15}$/.test(value) ? Number(value) : undefined;
    tags.push({ weak: match[1] !== undefined, revision });
  }
  return tags;
}

/** The revisions an `If-Match` accepts: strong comparison, so weak tags never match. */
export function ifMatchRevisions(header: string | undefined): '*' | number[] | undefined {
  if (header === undefined) return undefined;
  const tags = parseEntityTags(header);
  if (tags === '*') return '*';
  return tags.flatMap((t) => (!t.weak && t.revision !== undefined ? [t.revision] : []));
}

/** Whether `If-None-Match` matches the current revision: weak comparison (RFC 9110 §13.1.2). */
export function ifNoneMatchHits(header: string | undefined, revision: number): boolean {
  if (header === undefined) return false;
  const tags = parseEntityTags(header);
  return tags === '*' || tags.some((t) => t.revision === revision);
}
