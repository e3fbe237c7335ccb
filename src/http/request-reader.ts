/** Reads a routed request into validated parts (path, query, headers, body), shared by the server and the mock. */
import type { Context } from 'koa';
import { createBodyReader } from './body.js';
import type { CompiledOperation, Contract, RequestParts } from './contract.js';

/** Builds the reader; the body reader is set up once for every media type the contract takes. */
export function createRequestReader(contract: Contract, { bodyLimit }: { bodyLimit: number }) {
  const readBody = createBodyReader({
    limit: bodyLimit,
    mediaTypes: [...new Set(contract.operations.flatMap((op) => op.bodyTypes))],
  });

  /** The request's parts, coerced and checked against the operation; throws a 4xx problem. */
  return async function readRequest(ctx: Context, operation: CompiledOperation, params: Record<string, string>): Promise<RequestParts> {
    const query = ctx.querystring === '' ? {} : { ...ctx.query };
    const parts: RequestParts = { path: params, query, header: ctx.headers, cookie: {} };
    if (operation.bodyTypes.length > 0) {
      const body = await readBody(ctx, operation.bodyTypes);
      if (body !== undefined) parts.requestBody = body;
    }
    contract.validate(operation, parts);
    return parts;
  };
}

/** Answers OPTIONS for a path: 204 with `Allow`. */
export function answerOptions(ctx: Context, allow: readonly string[]): void {
  ctx.status = 204;
  ctx.set('Allow', allow.join(', '));
}
