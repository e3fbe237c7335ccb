/** Every HTTP error the service answers with is built here, as an RFC 9457 problem. */
import type { Problem, ValidationError } from './types.js';

/** Where problem `type` URIs live; one URN per kind of problem. */
const TYPE_PREFIX = 'urn:cars-api:problem:';

/** An error that becomes an `application/problem+json` answer. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly errors: ValidationError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Koa's convention: the message is safe to show to the client. */
  readonly expose = true;

  constructor(
    status: number,
    kind: string,
    title: string,
    detail: string,
    options: { errors?: ValidationError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpProblem';
    this.status = status;
    this.title = title;
    this.type = TYPE_PREFIX + kind;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
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
  new HttpProblem(400, 'validation', 'Bad Request', detail, { errors });

/** 400: the body is not well-formed JSON. */
export const malformedJson = (message: string) =>
  new HttpProblem(400, 'malformed-json', 'Bad Request', `The request body is not valid JSON: ${message}`, {
    errors: [{ pointer: '', message }],
  });

/** 400: the request is not HTTP the server can read (Node's parser refused it before routing). */
export const unparsableRequest = (detail: string) => new HttpProblem(400, 'bad-request', 'Bad Request', detail);

/** 408: the request did not arrive within the server's request timeout. */
export const requestTimeout = () =>
  new HttpProblem(408, 'request-timeout', 'Request Timeout', 'The request was not received in time.');

/** 431: the request headers are over Node's limit. */
export const headerFieldsTooLarge = () =>
  new HttpProblem(431, 'header-fields-too-large', 'Request Header Fields Too Large', 'The request headers are too large.');

/**
 * 400: the body repeats a member name within one object. JSON.parse keeps the last one, while
 * other parsers keep the first, so a proxy or a log could disagree with the server (RFC 8259 §4).
 */
export const duplicateMember = (pointer: string) =>
  new HttpProblem(
    400,
    'duplicate-member',
    'Bad Request',
    `The request body repeats the member ${pointer}; send each member name once per object.`,
    { errors: [{ pointer, message: 'repeats a member name used earlier in the same object' }] },
  );

/** 404: nothing is served at this path. */
export const routeNotFound = (path: string) =>
  new HttpProblem(404, 'not-found', 'Not Found', `Nothing is served at ${path}.`);

/** 404: no car has this id. */
export const carNotFound = (id: number) => new HttpProblem(404, 'not-found', 'Not Found', `No car has id ${id}.`);

/** 405: the path exists, the method does not. */
export const methodNotAllowed = (method: string, path: string, allow: readonly string[]) =>
  new HttpProblem(
    405,
    'method-not-allowed',
    'Method Not Allowed',
    `${method} is not allowed on ${path}; use ${allow.join(', ')}.`,
    { headers: { Allow: allow.join(', ') } },
  );

/** 409: the id is taken. */
export const carExists = (id: number) =>
  new HttpProblem(409, 'conflict', 'Conflict', `A car with id ${id} already exists.`);

/** 409: every id is taken (only reachable when the id space is full). */
export const noFreeId = () =>
  new HttpProblem(409, 'conflict', 'Conflict', 'No free id is left; choose an id explicitly.');

/** 412: an If-Match or If-None-Match condition does not hold. */
export const preconditionFailed = () =>
  new HttpProblem(
    412,
    'precondition-failed',
    'Precondition Failed',
    'The car has changed or does not match the condition; fetch it again and retry with its current ETag.',
  );

/** 428: this server requires If-Match on writes to existing cars (RFC 6585 §3). */
export const preconditionRequired = () =>
  new HttpProblem(428, 'precondition-required', 'Precondition Required', "Send If-Match with the car's current ETag.");

/** 422: an Idempotency-Key was reused with a different request. */
export const idempotencyKeyReused = () =>
  new HttpProblem(
    422,
    'idempotency-key-reused',
    'Unprocessable Content',
    'This Idempotency-Key was used with a different request; use a new key for a new request.',
  );

/** 413: the body is over the limit. */
export const payloadTooLarge = (limit: number) =>
  new HttpProblem(413, 'payload-too-large', 'Payload Too Large', `The request body is larger than ${limit} bytes.`);

/** 415: the body is not in a media type the operation takes. */
export const unsupportedMediaType = (got: string, accepted: readonly string[]) =>
  new HttpProblem(
    415,
    'unsupported-media-type',
    'Unsupported Media Type',
    `The body was sent as ${got || 'an unspecified media type'}; send it as ${accepted.join(' or ')}.`,
  );

/** 503: the store is unreachable or too slow; the client may retry after `retryAfterSeconds`. */
export const serviceUnavailable = (retryAfterSeconds: number, cause?: unknown) =>
  new HttpProblem(503, 'service-unavailable', 'Service Unavailable', 'The store is unavailable; retry later.', {
    headers: { 'Retry-After': String(retryAfterSeconds) },
    cause,
  });

/** 500: anything unexpected. The detail never carries internals. */
export const internalError = (cause?: unknown) =>
  new HttpProblem(500, 'internal', 'Internal Server Error', 'The server could not complete the request.', { cause });
