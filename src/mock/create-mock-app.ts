/** The mock server: routes and validates every request as the real server does, then answers with the spec's examples. */
import Koa, { type Context } from 'koa';
import type { Document } from 'openapi-backend';
import { pino, type Logger } from 'pino';
import { answerOptions, createRequestReader } from '../http/request-reader.js';
import { compileContract } from '../http/contract.js';
import { problemHandler } from '../http/problems.js';
import { loadSpec } from '../spec.js';
import { mockAnswerFor, type MockAnswer } from './mock-answers.js';

/** What the mock is built from. */
export interface MockAppOptions {
  /** The parsed spec; read from `spec/` when omitted. */
  spec?: Document;
  logger?: Logger;
  /** The largest request body, in bytes (default 1 MiB, as the real server). */
  bodyLimit?: number;
}

/** The built mock; `callback()` serves it without a port. */
export interface MockApp {
  readonly koa: Koa;
  callback(): ReturnType<Koa['callback']>;
}

/** Builds the mock. Invalid requests get the real server's 400/404/405/413/415 problems; valid ones the example answer. */
export async function createMockApp({
  spec = loadSpec(),
  logger = pino({ level: 'silent' }),
  bodyLimit = 1024 * 1024,
}: MockAppOptions = {}): Promise<MockApp> {
  const contract = await compileContract(spec);
  const answers = new Map<string, MockAnswer>(
    contract.operations.map((op) => [op.operationId, mockAnswerFor(contract.api, op.operationId)]),
  );
  const readRequest = createRequestReader(contract, { bodyLimit });

  async function answer(ctx: Context): Promise<void> {
    const match = contract.route(ctx.method, ctx.path);
    if (match.operation === undefined) return answerOptions(ctx, match.allow);
    const { operation, params } = match;
    await readRequest(ctx, operation, params);
    const mock = answers.get(operation.operationId);
    if (!mock) throw new Error(`no mock answer for ${operation.operationId}`);
    ctx.status = mock.status;
    ctx.set(mock.headers);
    if (mock.content) {
      ctx.set('Content-Type', mock.content.type);
      ctx.body = mock.content.text;
    }
  }

  const koa = new Koa();
  koa.silent = true;
  koa.on('error', (err: unknown) => logger.error({ err }, 'unhandled error'));
  koa.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  });
  koa.use(problemHandler({ logger }));
  koa.use(answer);
  return { koa, callback: () => koa.callback() };
}
