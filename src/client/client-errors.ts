/**
 * The client's error model, beyond openapi-fetch's `{ data } | { error }`: what happens when there is no
 * answer, or an answer the spec does not describe. Runs as one openapi-fetch middleware, so every call
 * (typed methods, `listAll`, `patchCar`) gets the same rules.
 */
import type { Middleware } from 'openapi-fetch';
import type { components } from '../../generated/cars.js';

type Problem = components['schemas']['Problem'];

/** A failed call, carrying the server's problem (thrown by `listAll`; the typed methods return `{ error }`). */
export class CarsApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem ? `${problem.title}: ${problem.detail}` : `HTTP ${status}`);
    this.name = 'CarsApiError';
  }
}

/** No answer at all: connection refused, DNS failure, reset, CORS refusal in a browser. `cause` is fetch's own error. */
export class CarsNetworkError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach the Cars API at ${baseUrl}: ${reason}`, options);
    this.name = 'CarsNetworkError';
  }
}

/**
 * A success answer the client cannot read: its body is not JSON (an HTML page from a proxy, a wrong
 * `baseUrl`) or is malformed JSON. `response` is the server's answer with its body still unread.
 */
export class CarsResponseError extends Error {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly response: Response,
    excerpt: string,
  ) {
    super(`the Cars API answered ${status} with ${contentType || 'no Content-Type'}, not the JSON the spec describes${excerpt ? `: ${excerpt}` : ''}`);
    this.name = 'CarsResponseError';
  }
}

/** The reason a fetch failed, from undici's `cause` (e.g. `connect ECONNREFUSED 127.0.0.1:8080`), else its message. */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown; code?: unknown } } | undefined)?.cause;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  if (typeof cause?.code === 'string') return cause.code;
  return err instanceof Error ? err.message : String(err);
}

// application/json and its +json relatives (problem+json, merge-patch+json), RFC 6839.
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;
const EXCERPT_CHARS = 120;

/** Whether a value has every required member of the spec's `Problem` (RFC 9457). */
function isProblem(value: unknown): value is Problem {
  const p = value as Partial<Record<keyof Problem, unknown>> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.type === 'string' &&
    typeof p.title === 'string' &&
    typeof p.status === 'number' &&
    typeof p.detail === 'string'
  );
}

/** The start of a body on one line, to show in a message. */
function excerptOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

function parses(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The same answer with `problem` as its body in place of the server's, so openapi-fetch returns it as `{ error }`. */
function withProblem(response: Response, problem: Problem): Response {
  const headers = new Headers(response.headers);
  headers.set('Content-Type', 'application/problem+json');
  headers.delete('Content-Length');
  headers.delete('Content-Encoding');
  return new Response(JSON.stringify(problem), { status: response.status, statusText: response.statusText, headers });
}

/**
 * The middleware behind the error model:
 * - fetch's bare `TypeError` (no answer) becomes a `CarsNetworkError`; an abort stays an `AbortError`;
 * - an error answer whose body is not a problem document gets one made by the client (`type: about:blank`,
 *   `title`: the status text), so `error` is always a `Problem`;
 * - a success answer that is not JSON rejects with `CarsResponseError`;
 * - a 304 answers `{ data: undefined, error: undefined }` (check `response.status`).
 */
export const answerChecks: Middleware = {
  onError({ error, options }) {
    if (error instanceof TypeError) return new CarsNetworkError(options.baseUrl, networkReason(error), { cause: error });
    return undefined;
  },

  async onResponse({ request, response, options }) {
    if (request.method === 'HEAD' || response.status === 204) return undefined;
    if (response.status === 304) {
      const headers = new Headers(response.headers);
      headers.set('Content-Length', '0');
      return new Response(null, { status: 304, statusText: response.statusText, headers });
    }
    const contentType = response.headers.get('Content-Type') ?? '';
    if (response.ok) {
      if (options.parseAs !== 'json') return undefined;
      const text = await response.clone().text();
      if (text === '' || (JSON_TYPE.test(contentType) && parses(text).ok)) return undefined;
      throw new CarsResponseError(response.status, contentType, response, excerptOf(text));
    }
    const text = await response.clone().text();
    const body = JSON_TYPE.test(contentType) ? parses(text) : { ok: false as const };
    if (body.ok && isProblem(body.value)) return undefined;
    const what = text === '' ? 'an empty body' : `${contentType || 'no Content-Type'} (${excerptOf(text)})`;
    return withProblem(response, {
      type: 'about:blank',
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      detail: `The server answered ${response.status} with ${what}, not a problem document.`,
    });
  },
};
