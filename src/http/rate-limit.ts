/** A token-bucket rate limiter, per client, kept in this process by design (see README: Security). */

/** Limiter settings. */
export interface RateLimitOptions {
  /** Tokens added per second (sustained requests per second). */
  ratePerSecond: number;
  /** Bucket size (the largest burst). */
  burst: number;
  /** The most clients tracked at once; the least recently seen are forgotten first. */
  maxClients?: number;
  /** The clock, in ms (tests pass their own). */
  now?: () => number;
}

/**
 * The outcome of taking a token: whether the request may go on, and the bucket's state for the
 * RateLimit-* headers. Plain numbers: the headers are only written on a 429 (see errors.ts), and
 * formatting them for every allowed request cost more than the limiter itself.
 */
export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket size (RateLimit-Limit). */
  limit: number;
  /** Whole tokens left (RateLimit-Remaining). */
  remaining: number;
  retryAfterSeconds: number;
}

/** Builds a limiter; `take(client)` spends one token of that client's bucket. */
export function createRateLimiter({ ratePerSecond, burst, maxClients = 10_000, now = Date.now }: RateLimitOptions) {
  // Map keeps insertion order, so the first entry is the least recently re-inserted. A bucket is
  // re-inserted at most once a second: near-LRU eviction without a delete and set per request.
  const buckets = new Map<string, { tokens: number; at: number; inserted: number }>();

  return function take(client: string): RateLimitDecision {
    const t = now();
    let bucket = buckets.get(client);
    if (!bucket) {
      if (buckets.size >= maxClients) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      bucket = { tokens: burst, at: t, inserted: t };
      buckets.set(client, bucket);
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * ratePerSecond);
      bucket.at = t;
      if (t - bucket.inserted > 1000) {
        buckets.delete(client);
        bucket.inserted = t;
        buckets.set(client, bucket);
      }
    }
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const { tokens } = bucket;
    const secondsToToken = tokens >= 1 ? 0 : Math.ceil((1 - tokens) / ratePerSecond);
    return { allowed, limit: burst, remaining: Math.floor(tokens), retryAfterSeconds: secondsToToken };
  };
}
