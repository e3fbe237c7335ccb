/** X-Request-Id: a well-formed incoming id is kept, anything else is replaced; the id is echoed back. */
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';

/** What a client may send as its request id: short, and safe to log and echo. */
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/** Middleware that sets `ctx.state.requestId` and the `X-Request-Id` response header. */
export function requestId() {
  // Not async: returning next()'s promise saves a promise and a turn per request on the hot path.
  return function assignRequestId(ctx: Context, next: Next): Promise<void> {
    const incoming = ctx.req.headers['x-request-id'];
    const id = typeof incoming === 'string' && ACCEPTED.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.res.setHeader('X-Request-Id', id);
    return next();
  };
}
