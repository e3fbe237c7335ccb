/** The mock server: the spec's examples for valid requests, the real server's problems for invalid ones. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadSpec } from '../../src/spec.js';
import { request, useServer } from '../support/server.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The value of a named example in the spec, read from the document rather than written again here. */
function specExample(path: string, method: string, status: string, name: string): unknown {
  const spec = loadSpec() as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { examples: Record<string, { value: unknown }> }> }> }>>;
  };
  return spec.paths[path]?.[method]?.responses[status]?.content['application/json']?.examples[name]?.value;
}

describe('mock server', () => {
  // The mock is createApp answering from the spec's examples, as createMockApp builds it.
  const mock = useServer({ answerFrom: 'examples' });

  describe('GET /cars/{carId}', () => {
    it("answers exactly the spec's example", async () => {
      // request() also checks the answer against the spec: documented status, exact content type, schema.
      const answer = await mock.request('GET', '/cars/1');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-type'), 'application/json');
      assert.deepEqual(answer.json, { id: 1, model: 'Honda', color: 'White' });
      assert.deepEqual(answer.json, specExample('/cars/{carId}', 'get', '200', 'honda'));
      assert.equal(answer.headers.get('ETag'), '"7"');
    });

    it('answers 400 problem for a carId that is not an integer', async () => {
      const answer = await mock.request('GET', '/cars/abc');
      assert.equal(answer.status, 400);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json');
      assert.deepEqual(answer.json, {
        type: 'urn:cars-api:problem:validation',
        title: 'Bad Request',
        status: 400,
        detail: 'The request does not match the API contract.',
        instance: '/cars/abc',
        errors: [{ pointer: '/path/carId', message: 'must be integer' }],
      });
    });
  });

  describe('every operation', () => {
    it('answers GET /cars with the two-car example and no Link to follow', async () => {
      const answer = await mock.request('GET', '/cars?limit=2&sort=model');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, specExample('/cars', 'get', '200', 'twoCars'));
      assert.equal(answer.headers.get('Link'), null);
    });

    it('answers a valid POST /cars with 201, the example car and its Location', async () => {
      const answer = await mock.request('POST', '/cars', { json: { model: 'Kia', color: 'Blue' }, headers: { 'Idempotency-Key': 'k-1' } });
      assert.equal(answer.status, 201);
      assert.deepEqual(answer.json, specExample('/cars', 'post', '201', 'created'));
      assert.equal(answer.headers.get('Location'), '/cars/1');
    });

    it('answers PUT with its lowest 2xx (200), PATCH with 200 and DELETE with an empty 204', async () => {
      const put = await mock.request('PUT', '/cars/1', { json: { model: 'New Honda', color: 'New Black' } });
      assert.equal(put.status, 200);
      assert.deepEqual(put.json, specExample('/cars/{carId}', 'put', '200', 'replaced'));
      const patch = await mock.request('PATCH', '/cars/1', {
        body: JSON.stringify({ color: 'Red' }),
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      assert.equal(patch.status, 200);
      assert.deepEqual(patch.json, specExample('/cars/{carId}', 'patch', '200', 'patched'));
      const del = await mock.request('DELETE', '/cars/1');
      assert.equal(del.status, 204);
      assert.equal(del.text, '');
    });

    it('answers the health checks and OPTIONS', async () => {
      assert.deepEqual((await mock.request('GET', '/healthz')).json, { status: 'ok' });
      assert.deepEqual((await mock.request('GET', '/readyz')).json, { status: 'ready' });
      const options = await mock.request('OPTIONS', '/cars');
      assert.equal(options.status, 204);
      assert.equal(options.headers.get('Allow'), 'GET, HEAD, POST, OPTIONS');
    });
  });

  describe('invalid requests', () => {
    it('answers a POST with an invalid body with 400, one error per failed check', async () => {
      const answer = await mock.request('POST', '/cars', { json: { model: '', colour: 'Red' } });
      assert.equal(answer.status, 400);
      assert.equal(answer.json.type, 'urn:cars-api:problem:validation');
      assert.deepEqual(
        new Set(answer.json.errors.map((e: { pointer: string }) => e.pointer)),
        new Set(['/color', '/model', '/colour']),
      );
    });

    it('answers 415 for a body that is not JSON and 404 for an unknown path', async () => {
      assert.equal((await mock.request('POST', '/cars', { body: 'model=Kia', headers: { 'Content-Type': 'text/plain' } })).status, 415);
      assert.equal((await mock.request('GET', '/trucks')).status, 404);
    });

    describe('the same problems as the real server', () => {
      const real = useServer();

      const cases: [string, string, { json?: unknown; body?: string; headers?: Record<string, string> }][] = [
        ['GET', '/cars/abc', {}],
        ['GET', '/cars/0', {}],
        ['GET', '/cars?colour=red', {}],
        ['GET', '/cars?limit=5000', {}],
        ['POST', '/cars', { json: { model: '', color: 'Red', extra: 1 } }],
        ['POST', '/cars', { body: '{"model":', headers: { 'Content-Type': 'application/json' } }],
        ['PUT', '/cars/1', { json: { model: 'A' } }],
        ['PATCH', '/cars/1', { json: { color: 'Red' } }],
        ['DELETE', '/cars', {}],
      ];
      for (const [method, path, options] of cases) {
        it(`${method} ${path} ${options.json ? JSON.stringify(options.json) : (options.body ?? '')}`.trim(), async () => {
          const fromMock = await mock.request(method, path, options);
          const fromReal = await real.request(method, path, options);
          assert.ok(fromMock.status >= 400);
          assert.equal(fromMock.status, fromReal.status);
          assert.deepEqual(fromMock.json, fromReal.json);
        });
      }
    });
  });
});

describe('npm run mock', () => {
  it('listens on PORT (0: a free one), logs where, and serves GET /cars/1 from the example', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/mock.ts'], {
      cwd: REPO,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const match = /mock listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
        child.once('exit', (code) => reject(new Error(`mock exited with ${code} before listening: ${err}${out}`)));
      });
      const answer = await request(base, 'GET', '/cars/1');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, { id: 1, model: 'Honda', color: 'White' });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses a bad PORT with exit 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/mock.ts'], {
      cwd: REPO,
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /PORT must be an integer from 0 to 65535, got "eighty"/);
  });
});
