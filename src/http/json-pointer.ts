/** JSON Pointers (RFC 6901), as problems' `errors[].pointer` carry them. */

/** One reference token, escaped: `~` is written `~0` and `/` is written `~1` (RFC 6901 §3). */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}
