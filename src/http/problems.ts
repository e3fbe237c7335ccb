/** The one place errors become responses: `application/problem+json`, and no internals on a 5xx. */
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { HttpProblem, internalError, serviceUnavailable } from '../errors.js';
import { StoreUnavailableError } from '../store/store-errors.js';

/** Middleware that renders every error thrown below it as a problem. */
export function problemHandler({ logger }: { logger: Logger }) {
  return async function renderProblems(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } catch (err) {
      const problem = toHttpProblem(err);
      if (problem.status === 503) {
        logger.warn({ err: problem.cause ?? err, method: ctx.method, path: ctx.path }, 'store unavailable');
      } else if (problem.status >= 500) {
        logger.error({ err: problem.cause ?? err, method: ctx.method, path: ctx.path }, 'request failed');
      }
      ctx.status = problem.status;
      for (const [name, value] of Object.entries(problem.headers)) ctx.set(name, value);
      ctx.set('Content-Type', 'application/problem+json');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = JSON.stringify(problem.toProblem(ctx.path));
    }
  };
}

/** Maps anything thrown to a problem; only errors that Koa marks `expose` keep their message. */
export function toHttpProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof StoreUnavailableError) return serviceUnavailable(err.retryAfterSeconds, err);
  const e = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    return new HttpProblem(e.status, 'client-error', String(e.message || 'Bad Request'), String(e.message || ''));
  }
  return internalError(err);
}
