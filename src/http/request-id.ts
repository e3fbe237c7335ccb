/** X-Request-Id: a well-formed incoming id is kept, anything else is replaced; the id is echoed back. */
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';

/** What a client may send as its request id: short, and safe to log and echo. */
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/** Middleware that sets `ctx.state.requestId` and the `X-Request-Id` response header. */
export function requestId() {
  return async function assignRequestId(ctx: Context, next: Next): Promise<void> {
    const incoming = ctx.get('X-Request-Id');
    const id = ACCEPTED.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
