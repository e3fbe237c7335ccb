/** How long to wait before retrying an answer of 429 or 503, from its `Retry-After` (RFC 9110 §10.2.3). */

/** Statuses that say "not now" rather than "no": worth the same request again, later. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** The wait when the server gives none, and the longest wait honoured, in ms. */
const DEFAULT_MS = 1000;
const MAX_MS = 60_000;

/** The delay in ms that `Retry-After` asks for: delay-seconds or an HTTP-date; 1 s when absent or unreadable, at most 60 s. */
export function retryDelayMs(retryAfter: string | null, now: number = Date.now()): number {
  if (retryAfter === null) return DEFAULT_MS;
  const text = retryAfter.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (Number.isNaN(ms)) return DEFAULT_MS;
  return Math.min(Math.max(ms, 0), MAX_MS);
}
