/** A spec-checked request to a server process that gives up after a bounded time instead of hanging. */
import { checkAgainstSpec, type Answer, type RequestOptions } from '../support/server.js';

/** Like `request` in test/support/server.ts, but aborted after `timeoutMs` (AbortSignal.timeout). */
export async function boundedRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
  timeoutMs = 10_000,
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(baseUrl + path, {
    method,
    headers,
    body: body as RequestInit['body'],
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown;
  if (text !== '' && /json/.test(response.headers.get('content-type') ?? '')) json = JSON.parse(text);
  const answer: Answer = { status: response.status, headers: response.headers, text, json };
  await checkAgainstSpec(method, path, answer);
  return answer;
}
