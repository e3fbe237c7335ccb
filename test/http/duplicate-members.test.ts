/** JSON bodies that repeat a member name, and bodies that are JSON but not objects, over HTTP. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useServer, type Answer, type TestServer } from '../support/server.js';

const JSON_TYPE = { 'Content-Type': 'application/json' };
const MERGE_PATCH = { 'Content-Type': 'application/merge-patch+json' };

/** Asserts a 400 duplicate-member problem pointing at `pointer`. */
function assertDuplicate(res: Answer, pointer: string): void {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.type, 'urn:cars-api:problem:duplicate-member');
  assert.deepEqual(res.json.errors.map((e: { pointer: string }) => e.pointer), [pointer]);
  assert.ok(res.json.detail.includes(pointer), res.json.detail);
}

/** Car 5, which the writes below must leave as it is. */
async function seedCar5(server: TestServer): Promise<void> {
  assert.equal((await server.request('PUT', '/cars/5', { json: { model: 'Honda', color: 'White' } })).status, 201);
}

describe('request bodies with repeated member names', () => {
  const server = useServer({}, seedCar5);

  async function assertCar5Unchanged(): Promise<void> {
    const res = await server.request('GET', '/cars/5');
    assert.deepEqual(res.json, { id: 5, model: 'Honda', color: 'White' });
  }

  describe('POST /cars', () => {
    it('answers 400 problem pointing at /id to the issue\'s example, and stores neither car', async () => {
      const res = await server.request('POST', '/cars', { body: '{"id": 701, "model": "M", "color": "C", "id": 702}', headers: JSON_TYPE });
      assertDuplicate(res, '/id');
      assert.equal((await server.request('GET', '/cars/701')).status, 404);
      assert.equal((await server.request('GET', '/cars/702')).status, 404);
      const list = await server.request('GET', '/cars');
      assert.deepEqual(list.json.map((c: { id: number }) => c.id), [5]);
    });

    it('compares names after unescaping: "i\\u0064" repeats "id"', async () => {
      const res = await server.request('POST', '/cars', { body: '{"id": 703, "model": "M", "color": "C", "i\\u0064": 704}', headers: JSON_TYPE });
      assertDuplicate(res, '/id');
      assert.equal((await server.request('GET', '/cars/704')).status, 404);
    });

    it('finds a repeated name at any depth, and escapes the pointer (RFC 6901)', async () => {
      const cases: [string, string][] = [
        ['{"model": "M", "color": "C", "x": {"a": 1, "a": 2}}', '/x/a'],
        ['{"model": "M", "color": "C", "x": [{"a": 1}, {"b": 1, "c": [0, {"d": 1, "d": 1}]}]}', '/x/1/c/1/d'],
        ['{"model": "M", "color": "C", "a/b~c": 1, "a/b~c": 2}', '/a~1b~0c'],
        ['{"model": "M", "model": "M", "color": "C"}', '/model'],
      ];
      for (const [body, pointer] of cases) assertDuplicate(await server.request('POST', '/cars', { body, headers: JSON_TYPE }), pointer);
    });

    it('stores nothing for an Idempotency-Key whose request repeated a member, so a corrected retry creates the car', async () => {
      const headers = { ...JSON_TYPE, 'Idempotency-Key': 'dup-then-fixed' };
      assertDuplicate(await server.request('POST', '/cars', { body: '{"id": 705, "model": "M", "color": "C", "color": "D"}', headers }), '/color');
      const fixed = await server.request('POST', '/cars', { body: '{"id": 705, "model": "M", "color": "C"}', headers });
      assert.equal(fixed.status, 201, fixed.text);
      assert.deepEqual(fixed.json, { id: 705, model: 'M', color: 'C' });
      assert.equal((await server.request('DELETE', '/cars/705')).status, 204);
    });

    it('accepts the same name in different objects', async () => {
      // The body still fails the schema (no member "x" is allowed), but not for a repeated name.
      const res = await server.request('POST', '/cars', { body: '{"model": "M", "color": "C", "x": [{"a": 1}, {"a": 2}]}', headers: JSON_TYPE });
      assert.equal(res.status, 400);
      assert.equal(res.json.type, 'urn:cars-api:problem:validation');
    });
  });

  describe('PUT /cars/{carId}', () => {
    it('answers 400 problem pointing at the repeated member, and leaves the car as it was', async () => {
      const res = await server.request('PUT', '/cars/5', { body: '{"model": "Ford", "color": "Black", "model": "Fiat"}', headers: JSON_TYPE });
      assertDuplicate(res, '/model');
      await assertCar5Unchanged();
    });

    it('creates nothing for a new id', async () => {
      assertDuplicate(await server.request('PUT', '/cars/6', { body: '{"id": 6, "id": 6, "model": "M", "color": "C"}', headers: JSON_TYPE }), '/id');
      assert.equal((await server.request('GET', '/cars/6')).status, 404);
    });
  });

  describe('PATCH /cars/{carId} (merge patch)', () => {
    it('answers 400 problem pointing at the repeated member, and leaves the car as it was', async () => {
      assertDuplicate(await server.request('PATCH', '/cars/5', { body: '{"color": "Red", "color": "Blue"}', headers: MERGE_PATCH }), '/color');
      await assertCar5Unchanged();
    });
  });
});

describe('request bodies that are JSON but not objects', () => {
  const server = useServer({}, seedCar5);

  const writes = [
    ['POST', '/cars', JSON_TYPE],
    ['PUT', '/cars/5', JSON_TYPE],
    ['PATCH', '/cars/5', MERGE_PATCH],
  ] as const;

  for (const body of ['null', '1', '"car"', 'true', '[]']) {
    it(`answers a validation problem ("must be object") to a body of ${body}, not "malformed JSON"`, async () => {
      for (const [method, path, headers] of writes) {
        const res = await server.request(method, path, { body, headers });
        assert.equal(res.status, 400, `${method} ${path}`);
        assert.equal(res.json.type, 'urn:cars-api:problem:validation', `${method} ${path}: ${res.text}`);
        assert.deepEqual(res.json.errors, [{ pointer: '', message: 'must be object' }], `${method} ${path}`);
      }
      const car = await server.request('GET', '/cars/5');
      assert.deepEqual(car.json, { id: 5, model: 'Honda', color: 'White' });
      assert.deepEqual((await server.request('GET', '/cars')).json.length, 1);
    });
  }
});
