/** A small HTTP/1.1 client over keep-alive agents that tells answers from transport failures, for load and fault tests. */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** An HTTP answer and how long it took. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** From writing the request to the end of the answer, in ms. */
  ms: number;
}

/** No HTTP answer came back: refused, reset, hung up or timed out. */
export class NoAnswer extends Error {
  override name = 'NoAnswer';
  constructor(
    /** ECONNREFUSED, ECONNRESET, TIMEOUT, ... */
    readonly code: string,
    /** The request went out on a kept-alive socket that had carried an earlier exchange. */
    readonly reusedSocket: boolean,
    readonly ms: number,
    message: string,
  ) {
    super(message);
  }
}

/** What to send. */
export interface SendOptions {
  json?: unknown;
  /** A raw body, sent with `headers['Content-Type']`. */
  body?: string;
  headers?: Record<string, string>;
  /** Give up (NoAnswer 'TIMEOUT') after this long; default 30 s. */
  timeoutMs?: number;
}

/** A keep-alive agent holding at most `sockets` connections, one request per connection at a time. */
export function keepAliveAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'fifo' });
}

/** Sends one request; resolves with any HTTP answer, rejects with NoAnswer when none came back. */
export function send(agent: Agent, baseUrl: string, method: string, path: string, options: SendOptions = {}): Promise<Reply> {
  const { timeoutMs = 30_000 } = options;
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] ??= 'application/json';
  }
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  const url = new URL(path, baseUrl);
  const started = performance.now();
  return new Promise<Reply>((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started });
      });
      res.on('error', fail);
    });
    function fail(err: Error & { code?: string }) {
      clearTimeout(timer);
      reject(new NoAnswer(err.code ?? 'ERROR', req.reusedSocket, performance.now() - started, `${method} ${path}: ${err.message}`));
    }
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })), timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}

/** Runs `lanes` copies of `lane(index)` at once and waits for them all. */
export async function inLanes(lanes: number, lane: (index: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
}
