/** The one place errors become responses: `application/problem+json`, and no internals on a 5xx. */
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { toHttpProblem } from '../errors.js';

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
