/** The one error a store throws for a fault outside the program: the database is down, busy or full. */

/** The database cannot serve the request right now; retrying later may succeed (answer 503). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  /** How long a client should wait before retrying, in seconds (for `Retry-After`). */
  readonly retryAfterSeconds: number;

  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
}
