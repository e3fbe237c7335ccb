/**
 * Handler types derived from the generated `operations`, so a missing or mistyped handler, or an
 * answer with a status its operation does not document, fails to compile.
 */
import type { HttpProblem } from '../errors.js';
import type { OperationId, operations } from '../types.js';

type Params<Op, In extends 'path' | 'query' | 'header'> = Op extends { parameters: { [K in In]?: infer P } }
  ? [P] extends [never | undefined]
    ? Record<string, never>
    : NonNullable<P>
  : Record<string, never>;

type RequestBodyOf<Op> = Op extends { requestBody: { content: infer C } }
  ? C[keyof C]
  : Op extends { requestBody?: { content: infer C } }
    ? C[keyof C] | undefined
    : undefined;

/**
 * The validated input of an operation: path and query are already coerced to their schema types,
 * and `headers` holds the operation's header parameters under their names in the spec.
 */
export interface HandlerInput<Op> {
  path: Params<Op, 'path'>;
  query: Params<Op, 'query'>;
  headers: Params<Op, 'header'>;
  body: RequestBodyOf<Op>;
}

type SuccessStatus = 200 | 201 | 202 | 204 | 304;

/** A body that is not JSON (HTML, CSS, scripts, YAML, metrics), sent as it is with its media type. */
export interface RawBody {
  readonly raw: string | Buffer;
  readonly contentType: string;
}

/** Whether a handler's body is a RawBody rather than a JSON value. */
export function isRawBody(body: unknown): body is RawBody {
  return typeof body === 'object' && body !== null && 'raw' in body && 'contentType' in body;
}

type ResponseBodyOf<R> = R extends { content: { 'application/json': infer B } }
  ? B
  : R extends { content: object }
    ? RawBody
    : undefined;

/** A successful answer: one of the operation's documented 2xx/304 statuses with its body. */
export type HandlerSuccess<Op> = Op extends { responses: infer Rs }
  ? {
      [S in keyof Rs & SuccessStatus]: {
        status: S;
        body: ResponseBodyOf<Rs[S]>;
        headers?: Record<string, string>;
      };
    }[keyof Rs & SuccessStatus]
  : never;

/** The 4xx/5xx statuses an operation documents. */
export type ErrorStatus<Op> = Op extends { responses: infer Rs } ? Exclude<keyof Rs & number, SuccessStatus> : never;

/**
 * What a handler answers: a documented success, or a problem with a documented error status
 * (returned, not thrown, so its status is checked here; test/types/handler-outcomes.test-d.ts
 * keeps it so). Faults a handler cannot foresee (the store unavailable) are thrown and rendered
 * as 503/500, which every operation that reaches the store documents.
 */
export type HandlerResult<Op> = HandlerSuccess<Op> | HttpProblem<ErrorStatus<Op>>;

/** A handler for one operation. */
export type Handler<Op> = (input: HandlerInput<Op>) => Promise<HandlerResult<Op>>;

/** One handler per operationId, typed from the contract. */
export type Handlers = { [K in OperationId]: Handler<operations[K]> };
