/** Logs, request ids, metrics, health and the served contract, asserted on the real app over HTTP. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { generateApiKey, hashSecret } from '../../src/auth/api-keys.js';
import { loadSpec, SPEC_PATH } from '../../src/spec.js';
import { openStore } from '../../src/store/open-store.js';
import { useServer, type Answer, type TestServer } from '../support/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMEOUT_MS = 10_000;

/** A pino logger that keeps every line it writes, as text. */
function memoryLogger() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  const text = () => chunks.join('');
  const entries = () =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, text, entries, requestLines: () => entries().filter((e) => e.msg === 'request') };
}

/** A request log line, as observe() writes it. */
interface RequestLine {
  method: string;
  path: string;
  operationId: string;
  status: number;
  durationMs: number;
  requestId: string;
}

/** One sample of the Prometheus text exposition format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (0.0.4) into samples; comment lines are skipped. */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
      assert.ok(match?.[1] && match[3], `not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[name!] = value!;
      }
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** Samples named `name` whose labels include all of `labels`. */
function samples(all: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** GET without the spec check of server.request, which expects JSON from every 2xx. */
async function get(server: TestServer, path: string): Promise<Response> {
  return fetch(server.url + path, { signal: AbortSignal.timeout(TIMEOUT_MS) });
}

describe('request logs and X-Request-Id', () => {
  const log = memoryLogger();
  const server = useServer({ logger: log.logger }, async (s) => {
    await s.request('PUT', '/cars/1', { json: { model: 'Honda', color: 'White' }, headers: { 'X-Request-Id': 'seed-1' } });
  });

  /** The one request line for a request id; fails when there is none or more than one. */
  function lineFor(requestId: string): RequestLine {
    const lines = log.requestLines().filter((e) => e.requestId === requestId);
    assert.equal(lines.length, 1, `one log line for request ${requestId}: ${JSON.stringify(lines)}`);
    return lines[0] as unknown as RequestLine;
  }

  it('writes one JSON line per request with method, path, operationId, status, durationMs and requestId', async () => {
    const before = log.requestLines().length;
    const sent: [string, string, Answer][] = [];
    for (const [method, path] of [
      ['GET', '/cars/1'],
      ['GET', '/cars/1?unknown=1'],
      ['GET', '/cars/404'],
      ['GET', '/cars'],
      ['GET', '/healthz'],
    ] as const) {
      const id = `obs-${sent.length}`;
      sent.push([method, path, await server.request(method, path, { headers: { 'X-Request-Id': id } })]);
    }
    assert.equal(log.requestLines().length - before, sent.length, 'one line per request');

    const expected = [
      { operationId: 'getCar', status: 200, path: '/cars/1' },
      { operationId: 'getCar', status: 400, path: '/cars/1' },
      { operationId: 'getCar', status: 404, path: '/cars/404' },
      { operationId: 'listCars', status: 200, path: '/cars' },
      { operationId: 'getHealth', status: 200, path: '/healthz' },
    ];
    sent.forEach(([method, , answer], i) => {
      const line = lineFor(`obs-${i}`);
      assert.equal(answer.status, expected[i]!.status);
      assert.equal(line.method, method);
      // The path only: a query string can carry anything, so it is not logged.
      assert.equal(line.path, expected[i]!.path);
      assert.equal(line.operationId, expected[i]!.operationId);
      assert.equal(line.status, answer.status);
      assert.equal(typeof line.durationMs, 'number');
      assert.ok(Number.isFinite(line.durationMs) && line.durationMs >= 0, `durationMs ${line.durationMs}`);
      assert.equal(line.requestId, answer.headers.get('x-request-id'));
    });
  });

  it('echoes a well-formed incoming X-Request-Id unchanged, up to 128 characters', async () => {
    for (const id of ['abc-123', 'trace.7:span-9', 'A'.repeat(128)]) {
      const answer = await server.request('GET', '/cars/1', { headers: { 'X-Request-Id': id } });
      assert.equal(answer.headers.get('x-request-id'), id);
      assert.equal(lineFor(id).status, 200);
    }
  });

  it('replaces a malformed X-Request-Id with a generated one, and logs the generated one', async () => {
    for (const id of ['has spaces', 'a'.repeat(200), 'A'.repeat(129), 'slash/es', 'semi;colon', '']) {
      const answer = await server.request('GET', '/cars/1', { headers: { 'X-Request-Id': id } });
      const echoed = answer.headers.get('x-request-id') ?? '';
      assert.match(echoed, UUID, `replaced ${JSON.stringify(id)}`);
      assert.equal(lineFor(echoed).path, '/cars/1');
      if (id !== '') assert.ok(!log.text().includes(id), `the malformed id ${JSON.stringify(id)} is not logged`);
    }
  });

  it('generates a fresh id for each request that sends none, on errors too', async () => {
    const first = await server.request('GET', '/cars/1');
    const second = await server.request('GET', '/cars/999');
    const ids = [first.headers.get('x-request-id') ?? '', second.headers.get('x-request-id') ?? ''];
    for (const id of ids) assert.match(id, UUID);
    assert.notEqual(ids[0], ids[1]);
    assert.equal(lineFor(ids[1]!).status, 404);
  });

  it('never logs the X-API-Key or Authorization it was sent (authentication off)', async () => {
    const apiKey = generateApiKey().key;
    const bearer = generateApiKey().key;
    const basic = Buffer.from('user:hunter2-password').toString('base64');
    const attempts: [string, string, Record<string, string>, unknown?][] = [
      ['GET', '/cars/1', { 'X-API-Key': apiKey }],
      ['GET', '/cars/1', { Authorization: `Bearer ${bearer}` }],
      ['GET', '/cars/999', { 'X-API-Key': apiKey, Authorization: `Bearer ${bearer}` }],
      ['POST', '/cars', { 'X-API-Key': apiKey }, { id: 0 }],
      ['POST', '/cars', { Authorization: `Bearer ${bearer}` }, { id: 77, model: 'Logged', color: 'Not' }],
      ['GET', '/healthz', { Authorization: `Basic ${basic}` }],
    ];
    for (const [method, path, headers, json] of attempts) {
      await server.request(method, path, json === undefined ? { headers } : { headers, json });
    }
    const text = log.text();
    for (const secret of [apiKey, bearer, basic, 'hunter2']) assert.ok(!text.includes(secret), `log contains ${secret}`);
  });
});

describe('request logs with authentication on', () => {
  const log = memoryLogger();
  const key = generateApiKey();
  const wrong = generateApiKey();
  const server = useServer(async () => {
    const store = await openStore('sqlite::memory:');
    await store.createApiKey({ id: key.id, name: 'observability', scopes: ['cars:read', 'cars:write'], secretHash: hashSecret(key.secret) });
    return { store, logger: log.logger, auth: { keys: store } };
  });

  it('never logs an accepted or a refused key, whichever header carried it', async () => {
    const statuses = [];
    for (const [method, path, headers, json] of [
      ['PUT', '/cars/5', { 'X-API-Key': key.key }, { model: 'Kept', color: 'Secret' }],
      ['GET', '/cars/5', { Authorization: `Bearer ${key.key}` }],
      ['GET', '/cars/5', { 'X-API-Key': wrong.key }],
      ['GET', '/cars/5', { Authorization: `Bearer ${wrong.key}` }],
      ['GET', '/cars/5', { Authorization: `Basic ${Buffer.from(`x:${wrong.secret}`).toString('base64')}` }],
      ['GET', '/cars/5', { 'X-API-Key': `${key.key}x` }],
    ] as const) {
      const answer = await server.request(method, path, json === undefined ? { headers } : { headers, json });
      statuses.push(answer.status);
    }
    assert.deepEqual(statuses, [201, 200, 401, 401, 401, 401]);
    assert.equal(log.requestLines().length, statuses.length);
    const text = log.text();
    for (const secret of [key.key, key.secret, wrong.key, wrong.secret]) assert.ok(!text.includes(secret), `log contains ${secret}`);
  });
});

describe('GET /metrics', () => {
  const N = 7;
  const server = useServer({}, async (s) => {
    await s.request('PUT', '/cars/1', { json: { model: 'Honda', color: 'White' } });
    for (let i = 0; i < N; i++) assert.equal((await s.request('GET', '/cars/1')).status, 200);
    assert.equal((await s.request('GET', '/cars/2')).status, 404);
  });

  it('answers the Prometheus text format with the content type the spec documents', async () => {
    const response = await get(server, '/metrics');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4');
    const documented = Object.keys((loadSpec().paths as any)['/metrics'].get.responses['200'].content);
    assert.deepEqual(documented, ['text/plain; version=0.0.4']);
    const text = await response.text();
    assert.ok(parseExposition(text).length > 0);
  });

  it(`counts ${N} GET /cars/{carId} answered 200 under operation="getCar"`, async () => {
    const text = await (await get(server, '/metrics')).text();
    assert.match(text, /^# TYPE http_requests_total counter$/m);
    assert.ok(
      text.split('\n').includes(`http_requests_total{operation="getCar",method="GET",status="200"} ${N}`),
      text.split('\n').filter((l) => l.startsWith('http_requests_total')).join('\n'),
    );
    const all = parseExposition(text);
    assert.equal(samples(all, 'http_requests_total', { operation: 'getCar', method: 'GET', status: '404' })[0]?.value, 1);
    assert.equal(samples(all, 'http_requests_total', { operation: 'replaceCar', method: 'PUT', status: '201' })[0]?.value, 1);
  });

  it('records their durations in the http_request_duration_seconds histogram', async () => {
    const text = await (await get(server, '/metrics')).text();
    assert.match(text, /^# TYPE http_request_duration_seconds histogram$/m);
    const all = parseExposition(text);
    const labels = { operation: 'getCar', method: 'GET', status: '200' };
    const buckets = samples(all, 'http_request_duration_seconds_bucket', labels);
    assert.ok(buckets.length > 1, 'buckets for getCar');
    // Cumulative buckets: never decreasing, and +Inf holds every observation (Prometheus exposition format).
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, 'cumulative');
    assert.equal(buckets.at(-1)?.labels.le, '+Inf');
    assert.equal(buckets.at(-1)?.value, N);
    assert.equal(samples(all, 'http_request_duration_seconds_count', labels)[0]?.value, N);
    const sum = samples(all, 'http_request_duration_seconds_sum', labels)[0]?.value ?? -1;
    assert.ok(sum > 0 && sum < N * 5, `sum ${sum}`);
  });

  it('includes the default process metrics', async () => {
    const all = parseExposition(await (await get(server, '/metrics')).text());
    const rss = samples(all, 'process_resident_memory_bytes')[0]?.value ?? 0;
    assert.ok(rss > 1024 * 1024, `process_resident_memory_bytes ${rss}`);
    assert.ok(samples(all, 'process_cpu_seconds_total').length === 1);
    assert.ok(samples(all, 'nodejs_eventloop_lag_seconds').length === 1);
  });
});

describe('health and the served contract', () => {
  const server = useServer();

  it('GET /healthz answers 200', async () => {
    const answer = await server.request('GET', '/healthz');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { status: 'ok' });
  });

  it('GET /readyz answers 200 while the store is reachable', async () => {
    const answer = await server.request('GET', '/readyz');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { status: 'ready' });
  });

  it('GET /openapi.json is the spec file, parsed', async () => {
    const answer = await server.request('GET', '/openapi.json');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, loadSpec());
  });

  it('GET /openapi.yaml is the spec file, byte for byte', async () => {
    const response = await get(server, '/openapi.yaml');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/yaml');
    const served = Buffer.from(await response.arrayBuffer());
    assert.ok(served.equals(readFileSync(SPEC_PATH)), 'served YAML differs from spec/cars.openapi.yaml');
  });
});
