/** The application factory: Koa, the compiled contract and the handlers. It never listens. */
import Koa, { type Context } from 'koa';
import { pino, type Logger } from 'pino';
import type { Document } from 'openapi-backend';
import { createCarHandlers } from './handlers/cars.js';
import { createHealthHandlers } from './handlers/health.js';
import { createBodyReader } from './http/body.js';
import { compileContract, type CompiledOperation, type RequestParts } from './http/contract.js';
import type { Handlers, HandlerResult } from './http/handler-types.js';
import { problemHandler } from './http/problems.js';
import { loadSpec } from './spec.js';
import type { CarStore } from './store/car-store.js';

/** What the application is built from. */
export interface AppOptions {
  store: CarStore;
  /** The parsed spec; read from `spec/` when omitted. */
  spec?: Document;
  logger?: Logger;
  /** The largest request body, in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Answer unconditional writes to existing cars with 428 (default false). */
  requireIfMatch?: boolean;
  /** How long Idempotency-Keys are remembered, in ms (default 24 h). */
  idempotencyTtlMs?: number;
}

/** The built application; `callback()` serves it without a port. */
export interface CarsApp {
  readonly koa: Koa;
  callback(): ReturnType<Koa['callback']>;
}

/** Builds the application. Everything it holds lives in this closure, so tests can build many. */
export async function createApp({
  store,
  spec = loadSpec(),
  logger = pino({ level: 'silent' }),
  bodyLimit = 1024 * 1024,
  requireIfMatch = false,
  idempotencyTtlMs,
}: AppOptions): Promise<CarsApp> {
  const contract = await compileContract(spec);
  const handlers: Handlers = {
    ...createCarHandlers(store, idempotencyTtlMs === undefined ? { requireIfMatch } : { requireIfMatch, idempotencyTtlMs }),
    ...createHealthHandlers(store),
  };
  const readBody = createBodyReader({
    limit: bodyLimit,
    mediaTypes: [...new Set(contract.operations.flatMap((op) => op.bodyTypes))],
  });

  async function dispatch(ctx: Context): Promise<void> {
    const match = contract.route(ctx.method, ctx.path);
    if (match.operation === undefined) {
      ctx.status = 204;
      ctx.set('Allow', match.allow.join(', '));
      return;
    }
    const { operation, params } = match;
    const parts: RequestParts = { path: params, query: { ...ctx.query }, header: ctx.headers, cookie: {} };
    if (operation.bodyTypes.length > 0) {
      const body = await readBody(ctx, operation.bodyTypes);
      if (body !== undefined) parts.requestBody = body;
    }
    contract.validate(operation, parts);
    const result = await invoke(operation, parts, ctx);
    send(ctx, result);
  }

  function invoke(operation: CompiledOperation, parts: RequestParts, ctx: Context) {
    // The validators have just checked (and coerced) these parts against this operation's schema.
    const handler = handlers[operation.operationId] as (input: unknown) => Promise<HandlerResult<unknown>>;
    return handler({ path: parts.path, query: parts.query, headers: ctx.headers, body: parts.requestBody });
  }

  const koa = new Koa();
  koa.silent = true;
  koa.on('error', (err: unknown) => logger.error({ err }, 'unhandled error'));
  koa.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  });
  koa.use(problemHandler({ logger }));
  koa.use(dispatch);

  return { koa, callback: () => koa.callback() };
}

/** Writes a handler's result: JSON bodies as `application/json` with no charset (RFC 8259). */
function send(ctx: Context, result: { status: number; body?: unknown; headers?: Record<string, string> }): void {
  ctx.status = result.status;
  if (result.headers) for (const [name, value] of Object.entries(result.headers)) ctx.set(name, value);
  if (result.body !== undefined) {
    ctx.set('Content-Type', 'application/json');
    ctx.body = JSON.stringify(result.body);
  }
}
