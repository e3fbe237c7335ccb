/** The application factory: Koa, the compiled contract and the handlers (or the spec's examples). It never listens. */
import cors from '@koa/cors';
import Koa, { type Context } from 'koa';
import { pino, type Logger } from 'pino';
import type { Document } from 'openapi-backend';
import { createAuthenticator, type Principal } from './auth/authenticate.js';
import { HttpProblem, tooManyRequests } from './errors.js';
import { createCarHandlers } from './handlers/cars.js';
import { createDocsHandlers } from './handlers/docs.js';
import { createExampleHandlers } from './handlers/examples.js';
import { createHealthHandlers } from './handlers/health.js';
import { createMetricsHandlers } from './handlers/metrics.js';
import { compileContract } from './http/contract.js';
import { isRawBody, type Handlers } from './http/handler-types.js';
import { createMetrics, observe } from './http/observe.js';
import { problemHandler } from './http/problems.js';
import { createRateLimiter, type RateLimitOptions } from './http/rate-limit.js';
import { requestId } from './http/request-id.js';
import { answerOptions, createRequestReader, type OperationInput } from './http/request-reader.js';
import { createResponseValidator, type ResponseValidationMode } from './http/response-validation.js';
import { parse } from 'yaml';
import { loadSpecText } from './spec.js';
import type { ApiKeyStore } from './store/api-key-store.js';
import type { CarStore } from './store/car-store.js';

/** The application's settings, whichever way its operations are answered. */
export interface AppSettings {
  /** The parsed spec; read from `spec/` when omitted. */
  spec?: Document;
  /** The spec's YAML text, served at /openapi.yaml; re-serialised from `spec` when omitted. */
  specYaml?: string;
  logger?: Logger;
  /** The largest request body, in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Answer unconditional writes to existing cars with 428 (default false). */
  requireIfMatch?: boolean;
  /** How long Idempotency-Keys are remembered, in ms (default 24 h). */
  idempotencyTtlMs?: number;
  /** Require credentials, checked against these keys; without it authentication is off. */
  auth?: { keys: ApiKeyStore };
  /** Rate limit per API key (per client address when authentication is off); off when omitted. */
  rateLimit?: RateLimitOptions;
  /** Origins allowed to call the API from a browser (CORS); none when omitted. */
  corsOrigins?: readonly string[];
  /** Check the spec against the OpenAPI 3 schema at start-up (default true); see `compileContract`. */
  checkSpec?: boolean;
  /** Check answers against the spec (default `off`). */
  validateResponses?: ResponseValidationMode;
}

/**
 * What the application is built from: how its operations are answered, by the handlers over a
 * store (the server), or from the spec's examples (the mock), and its settings.
 */
export type AppOptions = AppSettings & ({ answerFrom?: 'handlers'; store: CarStore } | { answerFrom: 'examples'; store?: undefined });

/** The built application; `callback()` serves it without a port. */
export interface CarsApp {
  readonly koa: Koa;
  callback(): ReturnType<Koa['callback']>;
}

/** What `send` writes: any operation's successful result. */
type AnyResult = { status: number; body?: unknown; headers?: Record<string, string> };

/** Builds the application. Everything it holds lives in this closure, so tests can build many. */
export async function createApp(options: AppOptions): Promise<CarsApp> {
  const {
    logger = pino({ level: 'silent' }),
    bodyLimit = 1024 * 1024,
    requireIfMatch = false,
    idempotencyTtlMs,
    auth,
    rateLimit,
    corsOrigins = [],
    validateResponses = 'off',
    checkSpec = true,
  } = options;
  let { spec, specYaml } = options;
  if (spec === undefined) {
    specYaml ??= loadSpecText();
    spec = parse(specYaml) as Document;
  }
  const contract = await compileContract(spec, { checkDocument: checkSpec });
  const metrics = createMetrics();
  if (options.answerFrom === 'examples') {
    contract.register(createExampleHandlers(contract.api));
  } else {
    const { store } = options;
    const handlers: Handlers = {
      ...createCarHandlers(store, idempotencyTtlMs === undefined ? { requireIfMatch } : { requireIfMatch, idempotencyTtlMs }),
      ...createHealthHandlers(store),
      ...createDocsHandlers(spec, specYaml),
      ...createMetricsHandlers(metrics),
    };
    contract.register(handlers);
  }
  const authenticate = auth ? createAuthenticator(contract.api, auth.keys) : undefined;
  const limit = rateLimit ? createRateLimiter(rateLimit) : undefined;
  const checkResponse = createResponseValidator(contract, validateResponses, logger);
  const readRequest = createRequestReader(contract, { bodyLimit });

  async function dispatch(ctx: Context): Promise<void> {
    const { request } = ctx;
    const match = contract.route(request.method, request.path);
    if (match.operation === undefined) return answerOptions(ctx, match.allow);
    const { operation, params } = match;
    ctx.state.operationId = operation.operationId;
    // Not `await authenticate?.()`: awaiting undefined still costs a turn of the microtask queue.
    const principal: Principal | undefined = authenticate ? await authenticate(operation, ctx.req.headers) : undefined;
    if (limit && operation.security.length > 0) {
      const decision = limit(principal ? `key:${principal.keyId}` : `ip:${request.ip}`);
      // RateLimit-* go out with the 429 only: three more headers on every answer cost ~5% of a GET.
      if (!decision.allowed) throw tooManyRequests(decision);
    }
    const input = await readRequest(ctx, operation, params);
    // The handler openapi-backend holds for this operation; the input has just been validated against it.
    const handler = contract.api.handlers[operation.operationId] as unknown as (input: OperationInput) => Promise<AnyResult | HttpProblem>;
    const result = await handler(input);
    if (result instanceof HttpProblem) throw result;
    checkResponse(operation, result.status, result.body);
    send(ctx, result);
  }

  const koa = new Koa();
  koa.silent = true;
  koa.on('error', (err: unknown) => {
    // A client that hangs up or sends a broken request is routine, not a server fault.
    const code = (err as { code?: unknown }).code;
    const clientFault = typeof code === 'string' && /^(HPE_|ECONNRESET$|ECONNABORTED$|EPIPE$|ERR_STREAM_PREMATURE_CLOSE$)/.test(code);
    if (clientFault) logger.debug({ err }, 'client connection error');
    else logger.error({ err }, 'unhandled error');
  });
  koa.use((ctx, next) => {
    ctx.res.setHeader('X-Content-Type-Options', 'nosniff');
    return next();
  });
  koa.use(requestId());
  koa.use(observe({ logger, metrics }));
  koa.use(problemHandler({ logger }));
  if (corsOrigins.length > 0) {
    const allowed = new Set(corsOrigins);
    koa.use(
      cors({
        origin: (ctx) => (allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
        allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        allowHeaders: ['Content-Type', 'Authorization', 'X-API-Key', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'],
        exposeHeaders: ['ETag', 'Location', 'Link', 'X-Total-Count', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'X-Request-Id'],
        maxAge: 600,
      }),
    );
  }
  koa.use(dispatch);

  return { koa, callback: () => koa.callback() };
}

/**
 * Writes a handler's result: JSON bodies as `application/json` with no charset (RFC 8259), raw
 * ones as declared. Headers go straight to node's response, which Koa's own setter wraps.
 */
function send(ctx: Context, result: AnyResult): void {
  const { response, res } = ctx;
  response.status = result.status;
  const { headers, body } = result;
  if (headers) for (const name in headers) res.setHeader(name, headers[name] as string);
  if (body === undefined) return;
  if (isRawBody(body)) {
    res.setHeader('Content-Type', body.contentType);
    response.body = body.raw;
  } else {
    res.setHeader('Content-Type', 'application/json');
    response.body = JSON.stringify(body);
  }
}
