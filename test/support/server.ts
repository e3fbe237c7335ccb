/** Test harness: the real app on an ephemeral loopback port, and a request helper that checks every answer against the spec. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import { createApp, type AppSettings } from '../../src/app.js';
import { answerClientError } from '../../src/http/client-error.js';
import { compileContract, type Contract } from '../../src/http/contract.js';
import { loadSpec } from '../../src/spec.js';
import type { CarStore } from '../../src/store/car-store.js';
import { openStore } from '../../src/store/open-store.js';
import { recordingListener, watchedHeaders } from './exercised.js';

/** One answer, with the body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Options for a request. */
export interface RequestOptions {
  /** A value to send as JSON (sets Content-Type: application/json unless `headers` overrides it). */
  json?: unknown;
  /** A raw body. */
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Abort the request after this many ms instead of waiting for ever. */
  timeoutMs?: number;
}

/** A running test server. */
export interface TestServer {
  url: string;
  store: CarStore;
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
  close(): Promise<void>;
}

let contractPromise: Promise<Contract> | undefined;
/** The spec compiled once per test process, for checking answers. */
export function specContract(): Promise<Contract> {
  contractPromise ??= compileContract(loadSpec());
  return contractPromise;
}

/**
 * Checks an answer against the contract: the status is documented for the operation, the
 * content type is one the response documents (JSON exactly, without charset), and a JSON body
 * validates against the documented schema.
 */
export async function checkAgainstSpec(method: string, path: string, answer: Answer): Promise<void> {
  const contract = await specContract();
  const where = `${method} ${path} → ${answer.status}`;
  const type = answer.headers.get('content-type');
  if (answer.status === 204 || answer.status === 304 || method === 'HEAD') {
    assert.equal(answer.text, '', `${where}: no body expected`);
  } else if (answer.status >= 400) {
    assert.equal(type, 'application/problem+json', `${where}: errors are problem+json`);
    if (method !== 'HEAD') assert.equal(answer.json.status, answer.status, `${where}: problem.status matches`);
  }

  let match: ReturnType<Contract['route']> | undefined;
  try {
    match = contract.route(method, new URL(path, 'http://x').pathname);
  } catch {
    match = undefined; // unknown path or method: answered with a generic problem, checked below
  }
  if (!match?.operation) {
    if (answer.status >= 400 && method !== 'HEAD') assertProblem(contract, answer, where);
    return;
  }
  const op = contract.api.router.getOperation(match.operation.operationId);
  const documented = Object.keys(op?.responses ?? {});
  assert.ok(documented.includes(String(answer.status)), `${where}: status ${answer.status} is not documented (${documented.join(', ')})`);
  if (answer.text === '' || method === 'HEAD') return;
  // The definition is dereferenced by openapi-backend, so a response is its own object here.
  const response = (op?.responses as Record<string, { content?: Record<string, unknown> }> | undefined)?.[String(answer.status)];
  const mediaTypes = Object.keys(response?.content ?? {});
  const json = mediaTypes.find((m) => /\bjson\b/.test(m));
  if (json !== undefined) {
    assert.equal(type, json, `${where}: JSON bodies are ${json}, without charset`);
    const result = contract.api.validateResponse(answer.json, match.operation.operationId, answer.status);
    assert.ok(result.valid, `${where}: body does not match the spec: ${JSON.stringify(result.errors)} body=${answer.text}`);
  } else {
    // A text body (YAML, HTML, CSS, JavaScript, Prometheus): the documented type, with any charset.
    const bare = (t: string) => t.split(';').filter((p) => !/^\s*charset=/i.test(p)).map((p) => p.trim()).join('; ');
    assert.ok(mediaTypes.map(bare).includes(bare(type ?? '')), `${where}: ${type} is not one of ${mediaTypes.join(', ')}`);
  }
}

let problemValidator: ValidateFunction | undefined;
/** Checks a problem answered outside any operation (unknown path or method) against the Problem schema. */
function assertProblem(contract: Contract, answer: Answer, where: string): void {
  const schemas = (contract.api.definition.components?.schemas ?? {}) as Record<string, object>;
  problemValidator ??= new Ajv({ strict: false, allErrors: true, formats: { 'uri-reference': true } }).compile(schemas.Problem ?? {});
  assert.ok(problemValidator(answer.json), `${where}: not a Problem: ${JSON.stringify(problemValidator.errors)}`);
}

/**
 * How long a test server keeps an idle connection. Longer than fetch's own idle timeout (4 s), so
 * fetch always drops a pooled connection first: with Node's 5 s, a test that blocks the event loop
 * for about that long (building another app) could see the server close the socket fetch reuses.
 */
export const IDLE_MS = 30_000;

/**
 * What a test server is built from: the app's settings, and its store (or where to open one); or,
 * with `answerFrom: 'examples'`, the mock, which answers from the spec's examples and has no store.
 */
export type ServerOptions = AppSettings &
  ({ answerFrom?: 'handlers'; store?: CarStore; databaseUrl?: string } | { answerFrom: 'examples'; store?: undefined; databaseUrl?: undefined });

/** Starts the app (or the mock) on 127.0.0.1:0, over a fresh in-memory SQLite store or the given one. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  if (options.answerFrom === 'examples') {
    const mock = await createApp({ validateResponses: 'fail', ...options });
    // Not recorded for the contract coverage gate: the mock's answers are the spec's examples, not the server's.
    return listen(mock.callback(), undefined);
  }
  const { databaseUrl = 'sqlite::memory:', ...appOptions } = options;
  const store = appOptions.store ?? (await openStore(databaseUrl));
  const app = await createApp({ validateResponses: 'fail', ...appOptions, store });
  // Recorded for the contract coverage gate when CARS_EXERCISED_DIR is set (scripts/test.ts).
  return listen(recordingListener(app.callback()), store);
}

/** Serves `listener` on 127.0.0.1:0; closing it also closes the store, when there is one. */
async function listen(listener: RequestListener, store: CarStore | undefined): Promise<TestServer> {
  const server: Server = createServer(listener);
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = IDLE_MS;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    get store(): CarStore {
      if (!store) throw new Error('this test server is the mock (answerFrom: examples), which has no store');
      return store;
    },
    request: (method, path, requestOptions) => request(url, method, path, requestOptions),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store?.close();
    },
  };
}

/** Sends one request and checks the answer against the spec. */
export async function request(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
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
    ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
  });
  const text = await response.text();
  let json: unknown;
  if (text !== '' && /json/.test(response.headers.get('content-type') ?? '')) json = JSON.parse(text);
  const answer: Answer = { status: response.status, headers: response.headers, text, json };
  await checkAgainstSpec(method, path, answer);
  // From here on, the headers a test reads are recorded as looked at (contract coverage).
  answer.headers = watchedHeaders(method, path, answer.status, answer.headers);
  return answer;
}

/**
 * Starts a server before the tests of the enclosing `describe` (after `prepare`, which may build
 * its store or keys, and then `setup`, which may seed it) and closes it after them; with
 * `{ answerFrom: 'examples' }` it is the mock. The returned object forwards to that server, so
 * tests use it as `server.request(...)`.
 */
export function useServer(
  prepare: ServerOptions | (() => Promise<ServerOptions>) = {},
  setup?: (server: TestServer) => Promise<void>,
): TestServer {
  let started: TestServer | undefined;
  before(async () => {
    started = await startServer(typeof prepare === 'function' ? await prepare() : prepare);
    await setup?.(started);
  });
  after(() => started?.close());
  const current = (): TestServer => {
    if (!started) throw new Error('useServer(): the server starts in before(); use it inside a test or a hook');
    return started;
  };
  return {
    get url() {
      return current().url;
    },
    get store() {
      return current().store;
    },
    request: (method, path, options) => current().request(method, path, options),
    close: () => current().close(),
  };
}
