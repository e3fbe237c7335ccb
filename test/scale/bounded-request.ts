/** A spec-checked request to a server process that gives up after a bounded time instead of hanging. */
import { request, type Answer, type RequestOptions } from '../support/server.js';

/** `request` from test/support/server.ts, aborted after `timeoutMs` (AbortSignal.timeout). */
export function boundedRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
  timeoutMs = 10_000,
): Promise<Answer> {
  return request(baseUrl, method, path, { ...options, timeoutMs });
}
