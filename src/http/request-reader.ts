/** Reads a routed request into a handler's validated input (path, query, header parameters, body). */
import type { Context } from 'koa';
import { createBodyReader } from './body.js';
import type { CompiledOperation, Contract, RequestParts } from './contract.js';

/** A handler's input for any operation; `HandlerInput<Op>` is its typed view. */
export interface OperationInput {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  /** The operation's header parameters, under their names in the spec. */
  headers: Record<string, string>;
  body: unknown;
}

/** Builds the reader; the body reader is set up once for every media type the contract takes. */
export function createRequestReader(contract: Contract, { bodyLimit }: { bodyLimit: number }) {
  const readBody = createBodyReader({
    limit: bodyLimit,
    mediaTypes: [...new Set(contract.operations.flatMap((op) => op.bodyTypes))],
  });

  /** The request's input, coerced and checked against the operation; throws a 4xx problem. */
  return async function readRequest(ctx: Context, operation: CompiledOperation, params: Record<string, string>): Promise<OperationInput> {
    const { request } = ctx;
    const { headers } = ctx.req;
    const query = request.querystring === '' ? {} : { ...request.query };
    const parts: RequestParts = { path: params, query, header: headers, cookie: {} };
    if (operation.bodyTypes.length > 0) {
      const body = await readBody(ctx, operation.bodyTypes);
      if (body !== undefined) parts.requestBody = body;
    }
    contract.validate(operation, parts);
    return { path: parts.path, query: parts.query, headers: headerParams(operation, headers), body: parts.requestBody };
  };
}

/** The operation's header parameters from Node's lower-cased headers, keyed as the spec names them. */
function headerParams(operation: CompiledOperation, headers: Context['headers']): Record<string, string> {
  const input: Record<string, string> = {};
  for (const { name, key } of operation.headerParams) {
    const value = headers[key];
    if (value !== undefined) input[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return input;
}

/** Answers OPTIONS for a path: 204 with `Allow`. */
export function answerOptions(ctx: Context, allow: readonly string[]): void {
  ctx.status = 204;
  ctx.set('Allow', allow.join(', '));
}
