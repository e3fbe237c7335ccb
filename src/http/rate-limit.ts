/** A token-bucket rate limiter, per client, kept in this process by design (see README: Security). */
import { HttpProblem } from '../errors.js';

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

/** The outcome of taking a token: the headers to send, and whether the request may go on. */
export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
  retryAfterSeconds: number;
}

/** Builds a limiter; `take(client)` spends one token of that client's bucket. */
export function createRateLimiter({ ratePerSecond, burst, maxClients = 10_000, now = Date.now }: RateLimitOptions) {
  // Map keeps insertion order: re-inserting on each use makes the first entry the least recent.
  const buckets = new Map<string, { tokens: number; at: number }>();

  return function take(client: string): RateLimitDecision {
    const t = now();
    const previous = buckets.get(client);
    let tokens = burst;
    if (previous) {
      tokens = Math.min(burst, previous.tokens + ((t - previous.at) / 1000) * ratePerSecond);
      buckets.delete(client);
    } else if (buckets.size >= maxClients) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    buckets.set(client, { tokens, at: t });
    const secondsToToken = tokens >= 1 ? 0 : Math.ceil((1 - tokens) / ratePerSecond);
    return {
      allowed,
      retryAfterSeconds: secondsToToken,
      headers: {
        'RateLimit-Limit': String(burst),
        'RateLimit-Remaining': String(Math.floor(tokens)),
        'RateLimit-Reset': String(secondsToToken),
      },
    };
  };
}

/** 429: the client's bucket is empty. */
export const tooManyRequests = (decision: RateLimitDecision) =>
  new HttpProblem(
    429,
    'rate-limited',
    'Too Many Requests',
    `Too many requests; retry after ${decision.retryAfterSeconds} second${decision.retryAfterSeconds === 1 ? '' : 's'}.`,
    { headers: { ...decision.headers, 'Retry-After': String(decision.retryAfterSeconds) } },
  );
