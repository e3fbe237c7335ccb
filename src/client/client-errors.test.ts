import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { useServer } from '../../test/support/server.js';
import { CarsNetworkError, CarsResponseError, createCarsClient } from './index.js';

/**
 * A server that answers every request with one fixed status, content type and body (a proxy, a
 * wrong baseUrl): a raw one, since these answers are exactly what the app never sends.
 */
async function fixedServer(status: number, type: string, body: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the client error model', () => {
  const api = useServer();
  const others: Server[] = [];
  after(() => {
    for (const s of others) s.close();
  });
  const answering = async (status: number, type: string, body: string) => {
    const { url, server } = await fixedServer(status, type, body);
    others.push(server);
    return createCarsClient({ baseUrl: url });
  };

  it("returns the server's problem as { error } on an HTTP error", async () => {
    const { data, error, response } = await createCarsClient({ baseUrl: api.url }).GET('/cars/{carId}', { params: { path: { carId: 9 } } });
    assert.equal(data, undefined);
    assert.equal(response.status, 404);
    assert.deepEqual(error, { type: 'urn:cars-api:problem:not-found', title: 'Not Found', status: 404, detail: 'No car has id 9.', instance: '/cars/9' });
  });

  it('rejects with CarsNetworkError, not a bare TypeError, when nothing answers', async () => {
    const { url, server } = await fixedServer(200, 'application/json', '[]');
    await new Promise((resolve) => server.close(resolve));
    const call = createCarsClient({ baseUrl: url }).GET('/cars');
    await assert.rejects(call, (err: unknown) => {
      assert.ok(err instanceof CarsNetworkError);
      assert.equal(err.baseUrl, url);
      assert.match(err.message, new RegExp(`^cannot reach the Cars API at ${url}: connect ECONNREFUSED`));
      assert.ok(err.cause instanceof TypeError);
      return true;
    });
  });

  it('rejects with CarsNetworkError when an injected fetch fails the way browsers do', async () => {
    const cars = createCarsClient({ baseUrl: 'http://cars.invalid', fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    await assert.rejects(cars.GET('/cars'), { name: 'CarsNetworkError', reason: 'Failed to fetch' });
  });

  it('keeps an abort as the AbortError it is', async () => {
    const cars = createCarsClient({ baseUrl: api.url });
    await assert.rejects(cars.GET('/cars', { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  it('makes a problem of an error answer that is not one (a proxy page)', async () => {
    const cars = await answering(502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>');
    const { error, response } = await cars.GET('/cars/{carId}', { params: { path: { carId: 1 } } });
    assert.equal(response.status, 502);
    assert.deepEqual(error, {
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      detail: 'The server answered 502 with text/html (<html><body><h1>502 Bad Gateway</h1></body></html>), not a problem document.',
    });
  });

  it('makes a problem of an error answer whose JSON is not a problem', async () => {
    const cars = await answering(500, 'application/json', '{"message":"boom"}');
    const { error } = await cars.GET('/cars');
    assert.equal(error?.title, 'Internal Server Error');
    assert.equal(error?.status, 500);
    assert.match(error?.detail ?? '', /with application\/json \(\{"message":"boom"\}\)/);
  });

  it('rejects with CarsResponseError on a success answer that is not JSON, its body still readable', async () => {
    const cars = await answering(200, 'text/html; charset=utf-8', '<!doctype html><title>Welcome</title>');
    const err = await cars.GET('/cars').then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CarsResponseError);
    assert.equal(err.status, 200);
    assert.equal(err.contentType, 'text/html; charset=utf-8');
    assert.equal(await err.response.text(), '<!doctype html><title>Welcome</title>');
  });

  it('rejects with CarsResponseError on malformed JSON', async () => {
    const cars = await answering(200, 'application/json', '[{"id": 1,');
    await assert.rejects(cars.GET('/cars'), { name: 'CarsResponseError', message: /answered 200 with application\/json, not the JSON the spec describes: \[\{"id": 1,/ });
  });

  it('answers a 304 with neither data nor error', async () => {
    const cars = createCarsClient({ baseUrl: api.url });
    const created = await cars.POST('/cars', { body: { model: 'Fiat', color: 'Red' } });
    const etag = created.response.headers.get('ETag') ?? '';
    const again = await cars.GET('/cars/{carId}', { params: { path: { carId: created.data?.id ?? 0 } }, headers: { 'If-None-Match': etag } });
    assert.equal(again.response.status, 304);
    assert.equal(again.data, undefined);
    assert.equal(again.error, undefined);
  });
});
