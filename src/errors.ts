/**
 * The error catalogue: every problem the API answers with is built here, as an RFC 9457 problem.
 * One row per kind (status, type URI, title), as fastify's `lib/errors.js`; `toHttpProblem` is the
 * one place anything else thrown (a store fault, a Koa error) becomes a problem.
 */
import { StoreUnavailableError } from './store/store-errors.js';
import type { Problem, ValidationError } from './types.js';

/** Where problem `type` URIs live; one URN per kind of problem. */
const TYPE_PREFIX = 'urn:cars-api:problem:';

/** Every kind of problem: its status and title; its type URI is `urn:cars-api:problem:<kind>`. */
const KINDS = {
  validation: { status: 400, title: 'Bad Request' },
  'malformed-json': { status: 400, title: 'Bad Request' },
  'invalid-cursor': { status: 400, title: 'Bad Request' },
  'bad-request': { status: 400, title: 'Bad Request' },
  'duplicate-member': { status: 400, title: 'Bad Request' },
  'request-timeout': { status: 408, title: 'Request Timeout' },
  'header-fields-too-large': { status: 431, title: 'Request Header Fields Too Large' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not Found' },
  'method-not-allowed': { status: 405, title: 'Method Not Allowed' },
  conflict: { status: 409, title: 'Conflict' },
  'precondition-failed': { status: 412, title: 'Precondition Failed' },
  'payload-too-large': { status: 413, title: 'Payload Too Large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported Media Type' },
  'idempotency-key-reused': { status: 422, title: 'Unprocessable Content' },
  'precondition-required': { status: 428, title: 'Precondition Required' },
  'rate-limited': { status: 429, title: 'Too Many Requests' },
  internal: { status: 500, title: 'Internal Server Error' },
  'service-unavailable': { status: 503, title: 'Service Unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

type Kind = keyof typeof KINDS;
/** The status a kind of problem answers with. */
type StatusOf<K extends Kind> = (typeof KINDS)[K]['status'];

interface ProblemOptions {
  errors?: ValidationError[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error that becomes an `application/problem+json` answer. `S` is its status as a literal type,
 * so a handler's result type can admit only the statuses its operation documents.
 */
export class HttpProblem<S extends number = number> extends Error {
  readonly status: S;
  readonly title: string;
  readonly type: string;
  readonly errors: ValidationError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Koa's convention: the message is safe to show to the client. */
  readonly expose = true;

  private constructor(status: S, type: string, title: string, detail: string, options: ProblemOptions) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpProblem';
    this.status = status;
    this.title = title;
    this.type = type;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  /** Builds a problem of a catalogued kind; the only way to make one. */
  static of<K extends Kind>(kind: K, detail: string, options: ProblemOptions = {}): HttpProblem<StatusOf<K>> {
    const { status, title } = KINDS[kind];
    return new HttpProblem(status, TYPE_PREFIX + kind, title, detail, options);
  }

  /** A 4xx error another library marked safe to show (`expose`), kept with its own status and message. */
  static exposed(status: number, message: string): HttpProblem {
    return new HttpProblem(status, `${TYPE_PREFIX}client-error`, message || 'Bad Request', message, {});
  }

  /** The problem body for this error. */
  toProblem(instance?: string): Problem {
    const body: Problem = { type: this.type, title: this.title, status: this.status, detail: this.message };
    if (instance !== undefined) body.instance = instance;
    if (this.errors !== undefined) body.errors = this.errors;
    return body;
  }
}

/** 400: the request does not match the contract. */
export const validationFailed = (errors: ValidationError[], detail = 'The request does not match the API contract.') =>
  HttpProblem.of('validation', detail, { errors });

/** 400: the body is not well-formed JSON. */
export const malformedJson = (message: string) =>
  HttpProblem.of('malformed-json', `The request body is not valid JSON: ${message}`, { errors: [{ pointer: '', message }] });

/** 400: a `cursor` that is malformed, altered, or from another query. */
export const invalidCursor = (detail: string) =>
  HttpProblem.of('invalid-cursor', detail, { errors: [{ pointer: '/query/cursor', message: detail }] });

const REALM = 'cars-api';
/** The challenges sent with every 401 (RFC 9110 §11.6.1). */
export const WWW_AUTHENTICATE = `Bearer realm="${REALM}", ApiKey realm="${REALM}", header="X-API-Key"`;

/** 401: no credentials, or credentials the server does not accept. */
export const unauthorized = (detail: string) =>
  HttpProblem.of('unauthorized', detail, { headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } });

/** 403: valid credentials without the scope the operation needs. */
export const forbidden = (scopes: readonly string[]) =>
  HttpProblem.of('forbidden', `This operation needs the ${scopes.join(', ')} scope.`);

/** 400: the request is not HTTP the server can read (Node's parser refused it before routing). */
export const unparsableRequest = (detail: string) => HttpProblem.of('bad-request', detail);

/** 408: the request did not arrive within the server's request timeout. */
export const requestTimeout = () => HttpProblem.of('request-timeout', 'The request was not received in time.');

/** 431: the request headers are over Node's limit. */
export const headerFieldsTooLarge = () => HttpProblem.of('header-fields-too-large', 'The request headers are too large.');

/**
 * 400: the body repeats a member name within one object. JSON.parse keeps the last one, while
 * other parsers keep the first, so a proxy or a log could disagree with the server (RFC 8259 §4).
 */
export const duplicateMember = (pointer: string) =>
  HttpProblem.of(
    'duplicate-member',
    `The request body repeats the member ${pointer}; send each member name once per object.`,
    { errors: [{ pointer, message: 'repeats a member name used earlier in the same object' }] },
  );

/** 404: nothing is served at this path. */
export const routeNotFound = (path: string) => HttpProblem.of('not-found', `Nothing is served at ${path}.`);

/** 404: no car has this id. */
export const carNotFound = (id: number) => HttpProblem.of('not-found', `No car has id ${id}.`);

/** 405: the path exists, the method does not. */
export const methodNotAllowed = (method: string, path: string, allow: readonly string[]) =>
  HttpProblem.of('method-not-allowed', `${method} is not allowed on ${path}; use ${allow.join(', ')}.`, {
    headers: { Allow: allow.join(', ') },
  });

/** 409: the id is taken. */
export const carExists = (id: number) => HttpProblem.of('conflict', `A car with id ${id} already exists.`);

/** 409: every id is taken (only reachable when the id space is full). */
export const noFreeId = () => HttpProblem.of('conflict', 'No free id is left; choose an id explicitly.');

/** 412: an If-Match or If-None-Match condition does not hold. */
export const preconditionFailed = () =>
  HttpProblem.of(
    'precondition-failed',
    'The car has changed or does not match the condition; fetch it again and retry with its current ETag.',
  );

/** 428: this server requires If-Match on writes to existing cars (RFC 6585 §3). */
export const preconditionRequired = () => HttpProblem.of('precondition-required', "Send If-Match with the car's current ETag.");

/** 422: an Idempotency-Key was reused with a different request. */
export const idempotencyKeyReused = () =>
  HttpProblem.of(
    'idempotency-key-reused',
    'This Idempotency-Key was used with a different request; use a new key for a new request.',
  );

/** 413: the body is over the limit. */
export const payloadTooLarge = (limit: number) =>
  HttpProblem.of('payload-too-large', `The request body is larger than ${limit} bytes.`);

/** 415: the body is not in a media type the operation takes. */
export const unsupportedMediaType = (got: string, accepted: readonly string[]) =>
  HttpProblem.of(
    'unsupported-media-type',
    `The body was sent as ${got || 'an unspecified media type'}; send it as ${accepted.join(' or ')}.`,
  );

/** What a rate limiter decided for a request it refused: its bucket's size and state. */
export interface RateLimitRefusal {
  limit: number;
  remaining: number;
  retryAfterSeconds: number;
}

/** 429: the client's bucket is empty; RateLimit-* as in draft-ietf-httpapi-ratelimit-headers. */
export const tooManyRequests = ({ limit, remaining, retryAfterSeconds }: RateLimitRefusal) =>
  HttpProblem.of(
    'rate-limited',
    `Too many requests; retry after ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    {
      headers: {
        'RateLimit-Limit': String(limit),
        'RateLimit-Remaining': String(remaining),
        'RateLimit-Reset': String(retryAfterSeconds),
        'Retry-After': String(retryAfterSeconds),
      },
    },
  );

/** 500: anything unexpected. The detail never carries internals. */
export const internalError = (cause?: unknown) =>
  HttpProblem.of('internal', 'The server could not complete the request.', { cause });

/** 503: the store is unreachable or too slow; the client may retry after the fault's `retryAfterSeconds`. */
const storeUnavailable = (fault: StoreUnavailableError) =>
  HttpProblem.of('service-unavailable', 'The store is unavailable; retry later.', {
    headers: { 'Retry-After': String(fault.retryAfterSeconds) },
    cause: fault,
  });

/**
 * Maps anything thrown to a problem: a store fault is a 503 (here and nowhere else), a 4xx that
 * Koa marks `expose` keeps its message, and anything else is a 500 without internals.
 */
export function toHttpProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof StoreUnavailableError) return storeUnavailable(err);
  const e = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    return HttpProblem.exposed(e.status, String(e.message || ''));
  }
  return internalError(err);
}
