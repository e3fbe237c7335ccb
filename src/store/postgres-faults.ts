/** Tells PostgreSQL's environmental faults (down, overloaded, timed out, missing) from bugs. */
import { StoreUnavailableError } from './store-errors.js';

// SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) that say the
// database cannot serve us now, rather than that our SQL is wrong.
const UNAVAILABLE_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '57P05', // idle_session_timeout
  '53000', // insufficient_resources
  '53100', // disk_full
  '53200', // out_of_memory
  '53300', // too_many_connections
  '55P03', // lock_not_available: lock_timeout
  '3D000', // invalid_catalog_name: the database does not exist
  '25P03', // idle_in_transaction_session_timeout
]);

// Node socket errors: nothing listens, the peer went away, or the name does not resolve.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// node-postgres reports a lost or unobtainable connection with plain Errors and these messages.
const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /Query read timeout/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** True when `err` says the database is unreachable, overloaded or timed out. */
export function isPostgresUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // FATAL ends or refuses the session (revoked CONNECT, failed login, shutdown): never our SQL's fault.
  if ((err as { severity?: unknown }).severity === 'FATAL') return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || SOCKET_CODES.has(code)) return true;
  }
  // Node reports a refused connection to every address of a name as one AggregateError.
  if (err instanceof AggregateError && err.errors.some((e) => isPostgresUnavailable(e))) return true;
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(err.message));
}

/** True when the connection that raised `err` can't be trusted again and must be discarded. */
export function isConnectionBroken(err: unknown): boolean {
  // A server ERROR leaves the session usable; FATAL/PANIC and socket errors end it.
  const severity = (err as { severity?: unknown } | null)?.severity;
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  return severity === undefined && isPostgresUnavailable(err);
}

/** Wraps a fault in StoreUnavailableError; returns anything else (a bug) unchanged, to be rethrown. */
export function translatePostgresError(err: unknown): unknown {
  if (err instanceof StoreUnavailableError || !isPostgresUnavailable(err)) return err;
  const code = (err as { code?: unknown }).code;
  const { message } = err as Error;
  const detail = typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  return new StoreUnavailableError(`PostgreSQL store unavailable (${detail})`, { cause: err });
}
