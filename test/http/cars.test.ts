import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useServer } from '../support/server.js';

describe('cars resource over HTTP', () => {
  const server = useServer();
  const mergePatch = { 'Content-Type': 'application/merge-patch+json' };

  /** Stores a car for one test; each test uses ids of its own, so no test needs another's data. */
  async function given(car: { id: number; model: string; color: string }): Promise<void> {
    const res = await server.request('PUT', `/cars/${car.id}`, { json: car });
    assert.equal(res.status, 201, `car ${car.id} is new: ${res.text}`);
  }

  describe('POST /cars', () => {
    it('creates a car with the client-chosen id and answers 201 with Location and ETag', async () => {
      const res = await server.request('POST', '/cars', { json: { id: 10, model: 'Honda', color: 'White' } });
      assert.equal(res.status, 201);
      assert.deepEqual(res.json, { id: 10, model: 'Honda', color: 'White' });
      assert.equal(res.headers.get('location'), '/cars/10');
      assert.match(res.headers.get('etag') ?? '', /^"\d+"$/);
    });

    it('picks the id after the highest when none is given', async () => {
      await given({ id: 500, model: 'Honda', color: 'White' });
      const highest = (await server.request('GET', '/cars?sort=-id&limit=1')).json[0].id as number;
      const res = await server.request('POST', '/cars', { json: { model: 'Ford', color: 'Black' } });
      assert.equal(res.status, 201);
      assert.equal(res.json.id, highest + 1);
      assert.equal(res.headers.get('location'), `/cars/${highest + 1}`);
    });

    it('answers 409 problem when the id exists, and keeps the first car', async () => {
      await given({ id: 12, model: 'Honda', color: 'White' });
      const res = await server.request('POST', '/cars', { json: { id: 12, model: 'Other', color: 'Red' } });
      assert.equal(res.status, 409);
      assert.equal(res.json.type, 'urn:cars-api:problem:conflict');
      const kept = await server.request('GET', '/cars/12');
      assert.equal(kept.json.model, 'Honda');
    });

    it('answers 400 problem with a pointer per failed check', async () => {
      const res = await server.request('POST', '/cars', { json: { id: 0, model: '', extra: true } });
      assert.equal(res.status, 400);
      const pointers = res.json.errors.map((e: { pointer: string }) => e.pointer).sort();
      assert.deepEqual(pointers, ['/color', '/extra', '/id', '/model']);
    });

    it('answers 400 problem for malformed JSON', async () => {
      const res = await server.request('POST', '/cars', { body: '{"model": "x",', headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 400);
      assert.equal(res.json.type, 'urn:cars-api:problem:malformed-json');
    });

    it('answers 415 problem for a body that is not JSON, even when it parses as JSON', async () => {
      const res = await server.request('POST', '/cars', {
        body: JSON.stringify({ model: 'x', color: 'y' }),
        headers: { 'Content-Type': 'text/plain' },
      });
      assert.equal(res.status, 415);
      const list = await server.request('GET', '/cars?model=x');
      assert.deepEqual(list.json, []);
    });

    it('answers 413 problem for a body over 1 MiB', async () => {
      const res = await server.request('POST', '/cars', {
        body: JSON.stringify({ model: 'x'.repeat(1024 * 1024 + 10), color: 'y' }),
        headers: { 'Content-Type': 'application/json' },
      });
      assert.equal(res.status, 413);
    });

    it('answers 400 when the body is missing', async () => {
      const res = await server.request('POST', '/cars', { headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 400);
    });

    it('rejects an Idempotency-Key that is not visible ASCII', async () => {
      const res = await server.request('POST', '/cars', { json: { model: 'a', color: 'b' }, headers: { 'Idempotency-Key': 'has space' } });
      assert.equal(res.status, 400);
    });
  });

  describe('GET /cars/{carId}', () => {
    it('returns the car', async () => {
      await given({ id: 20, model: 'Honda', color: 'White' });
      const res = await server.request('GET', '/cars/20');
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { id: 20, model: 'Honda', color: 'White' });
    });

    it('answers 404 problem when the car is missing', async () => {
      const res = await server.request('GET', '/cars/424242');
      assert.equal(res.status, 404);
      assert.equal(res.json.detail, 'No car has id 424242.');
      assert.equal(res.headers.get('cache-control'), 'no-store');
    });

    it('answers 400 problem for an id that is not a positive safe integer', async () => {
      for (const id of ['abc', '0', '-1', '1.5', '1.0', '%201', '1e3', '9007199254740992', '99999999999999999999999']) {
        const res = await server.request('GET', `/cars/${id}`);
        assert.equal(res.status, 400, id);
        assert.equal(res.json.errors[0].pointer, '/path/carId');
      }
    });

    it('answers HEAD like GET, without a body', async () => {
      await given({ id: 21, model: 'Honda', color: 'White' });
      const res = await server.request('HEAD', '/cars/21');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json');
    });
  });

  describe('PUT /cars/{carId}', () => {
    it('replaces an existing car with 200', async () => {
      await given({ id: 30, model: 'Honda', color: 'White' });
      const res = await server.request('PUT', '/cars/30', { json: { id: 30, model: 'New Honda', color: 'New Black' } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { id: 30, model: 'New Honda', color: 'New Black' });
    });

    it('creates an absent car with 201 and Location', async () => {
      const res = await server.request('PUT', '/cars/31', { json: { model: 'Tesla', color: 'Red' } });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('location'), '/cars/31');
    });

    it('answers 400 when the body id differs from the path id, and changes nothing', async () => {
      await given({ id: 32, model: 'Tesla', color: 'Red' });
      const res = await server.request('PUT', '/cars/32', { json: { id: 33, model: 'X', color: 'Y' } });
      assert.equal(res.status, 400);
      assert.equal((await server.request('GET', '/cars/32')).json.model, 'Tesla');
      assert.equal((await server.request('GET', '/cars/33')).status, 404);
    });
  });

  describe('PATCH /cars/{carId}', () => {
    it('merges the patch and keeps the other fields', async () => {
      await given({ id: 40, model: 'Tesla', color: 'Red' });
      const res = await server.request('PATCH', '/cars/40', { body: '{"color":"Blue"}', headers: mergePatch });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { id: 40, model: 'Tesla', color: 'Blue' });
    });

    it('refuses to remove a required member with null', async () => {
      await given({ id: 41, model: 'Tesla', color: 'Red' });
      const res = await server.request('PATCH', '/cars/41', { body: '{"model":null}', headers: mergePatch });
      assert.equal(res.status, 400);
      assert.equal(res.json.errors[0].pointer, '/model');
    });

    it('refuses to change the id', async () => {
      await given({ id: 42, model: 'Tesla', color: 'Red' });
      const res = await server.request('PATCH', '/cars/42', { body: '{"id":5}', headers: mergePatch });
      assert.equal(res.status, 400);
      assert.equal((await server.request('GET', '/cars/42')).json.id, 42);
    });

    it('answers 415 for a plain JSON body and 404 for a missing car', async () => {
      await given({ id: 43, model: 'Tesla', color: 'Red' });
      const wrong = await server.request('PATCH', '/cars/43', { json: { color: 'Green' } });
      assert.equal(wrong.status, 415);
      const missing = await server.request('PATCH', '/cars/424242', { body: '{"color":"Blue"}', headers: mergePatch });
      assert.equal(missing.status, 404);
    });
  });

  describe('DELETE /cars/{carId}', () => {
    it('deletes with 204 and then answers 404', async () => {
      await given({ id: 50, model: 'Tesla', color: 'Red' });
      assert.equal((await server.request('DELETE', '/cars/50')).status, 204);
      assert.equal((await server.request('DELETE', '/cars/50')).status, 404);
      assert.equal((await server.request('GET', '/cars/50')).status, 404);
    });
  });

  describe('routing', () => {
    it('serves /cars/ exactly as /cars', async () => {
      const a = await server.request('GET', '/cars');
      const b = await server.request('GET', '/cars/');
      assert.equal(b.status, 200);
      assert.deepEqual(a.json, b.json);
    });

    it('answers 404 problem for an unknown path', async () => {
      const res = await server.request('GET', '/trucks');
      assert.equal(res.status, 404);
    });

    it('answers 405 problem with Allow for a known path and a wrong method', async () => {
      const res = await server.request('DELETE', '/cars');
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
      const item = await server.request('POST', '/cars/1');
      assert.equal(item.status, 405);
      assert.equal(item.headers.get('allow'), 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS');
    });

    it('answers OPTIONS with 204 and Allow', async () => {
      const res = await server.request('OPTIONS', '/cars/1');
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('allow'), 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS');
    });

    it('rejects unknown query parameters instead of ignoring them', async () => {
      const res = await server.request('GET', '/cars?colour=red');
      assert.equal(res.status, 400);
      assert.deepEqual(res.json.errors, [{ pointer: '/query/colour', message: 'is not a known query parameter' }]);
    });

    it('sends X-Content-Type-Options: nosniff on every answer', async () => {
      for (const path of ['/cars', '/cars/424242', '/nowhere']) {
        assert.equal((await server.request('GET', path)).headers.get('x-content-type-options'), 'nosniff');
      }
    });
  });
});
