/** Idempotency-Key on POST /cars over HTTP: replays, reuse with another body, concurrency, restarts and expiry. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Car } from '../../src/types.js';
import { startServer, useServer, type Answer, type TestServer } from '../support/server.js';

const post = (server: TestServer, body: unknown, key?: string) =>
  server.request('POST', '/cars', { json: body, ...(key === undefined ? {} : { headers: { 'Idempotency-Key': key } }) });

/** Every stored car with this model. */
async function carsWithModel(server: TestServer, model: string): Promise<Car[]> {
  const res = await server.request('GET', `/cars?model=${encodeURIComponent(model)}&limit=1000`);
  assert.equal(res.status, 200);
  return res.json as Car[];
}

/** Asserts that `replay` repeats `first`: same status, body, Location and ETag, and is marked as replayed. */
function assertReplay(replay: Answer, first: Answer): void {
  assert.equal(replay.status, first.status);
  assert.deepEqual(replay.json, first.json);
  assert.equal(replay.headers.get('location'), first.headers.get('location'));
  assert.match(first.headers.get('etag') ?? '', /^"/, 'the first answer has an ETag');
  assert.equal(replay.headers.get('etag'), first.headers.get('etag'));
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
}

describe('POST /cars with Idempotency-Key', () => {
  const server = useServer();

  it('replays the first answer for the same key and body, and creates no second car', async () => {
    const body = { id: 100, model: 'Replay', color: 'White' };
    const first = await post(server, body, 'key-explicit-id');
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('idempotent-replayed'), null, 'the first answer is not a replay');
    assert.equal(first.headers.get('location'), '/cars/100');
    for (let i = 0; i < 3; i++) assertReplay(await post(server, body, 'key-explicit-id'), first);
    assert.deepEqual(await carsWithModel(server, 'Replay'), [body]);
  });

  it('replays the same auto-assigned id, even after other cars took the next ids', async () => {
    const body = { model: 'AutoReplay', color: 'Black' };
    const first = await post(server, body, 'key-auto-id');
    assert.equal(first.status, 201);
    const id = first.json.id as number;
    assert.equal(first.headers.get('location'), `/cars/${id}`);
    const other = await post(server, { model: 'Other', color: 'Red' });
    assert.equal(other.status, 201);
    const replay = await post(server, body, 'key-auto-id');
    assertReplay(replay, first);
    assert.equal(replay.json.id, id);
    assert.deepEqual(await carsWithModel(server, 'AutoReplay'), [{ id, ...body }]);
  });

  it('treats the same members in another order as the same body', async () => {
    const first = await server.request('POST', '/cars', {
      body: '{"model":"Ordered","color":"Blue"}',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-order' },
    });
    assert.equal(first.status, 201);
    const replay = await server.request('POST', '/cars', {
      body: '{ "color": "Blue", "model": "Ordered" }',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-order' },
    });
    assertReplay(replay, first);
    assert.equal((await carsWithModel(server, 'Ordered')).length, 1);
  });

  it('answers 422 problem for the same key with a different body, and creates nothing', async () => {
    const first = await post(server, { model: 'Reused', color: 'White' }, 'key-reused');
    assert.equal(first.status, 201);
    for (const body of [{ model: 'Reused', color: 'Black' }, { model: 'Reused2', color: 'White' }, { id: first.json.id, model: 'Reused', color: 'White' }]) {
      const res = await post(server, body, 'key-reused');
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.equal(res.json.type, 'urn:cars-api:problem:idempotency-key-reused');
    }
    assert.deepEqual(await carsWithModel(server, 'Reused'), [first.json]);
    assert.deepEqual(await carsWithModel(server, 'Reused2'), []);
    // The key still replays the original request afterwards.
    assertReplay(await post(server, { model: 'Reused', color: 'White' }, 'key-reused'), first);
  });

  it('creates one car per key for the same body under different keys', async () => {
    const body = { model: 'TwoKeys', color: 'Green' };
    const a = await post(server, body, 'key-a');
    const b = await post(server, body, 'key-b');
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.json.id, b.json.id);
    assert.equal(b.headers.get('idempotent-replayed'), null);
    assert.equal((await carsWithModel(server, 'TwoKeys')).length, 2);
  });

  it('keeps keys apart from requests without a key', async () => {
    const body = { model: 'NoKey', color: 'Green' };
    assert.equal((await post(server, body)).status, 201);
    assert.equal((await post(server, body)).status, 201);
    const keyed = await post(server, body, 'key-nokey');
    assert.equal(keyed.status, 201);
    assert.equal(keyed.headers.get('idempotent-replayed'), null);
    assert.equal((await carsWithModel(server, 'NoKey')).length, 3);
  });

  it('creates exactly one car for 10 concurrent identical requests with one key', async () => {
    const body = { model: 'Concurrent', color: 'Silver' };
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(server, body, 'key-concurrent')));
    assert.ok(answers.every((a) => a.status === 201), answers.map((a) => a.status).join(','));
    const originals = answers.filter((a) => a.headers.get('idempotent-replayed') === null);
    assert.equal(originals.length, 1, 'exactly one answer is the original');
    const [original] = originals;
    assert.ok(original);
    for (const answer of answers) if (answer !== original) assertReplay(answer, original);
    assert.deepEqual(await carsWithModel(server, 'Concurrent'), [original.json]);
  });

  it('answers 400 problem for a key that is too long, empty, or not visible ASCII, and creates nothing', async () => {
    const body = { model: 'BadKey', color: 'Red' };
    for (const key of ['k'.repeat(256), 'has space', 'clé', '', 'tab\there', 'ÿ']) {
      const res = await post(server, body, key);
      assert.equal(res.status, 400, JSON.stringify(key));
      assert.ok(
        (res.json.errors as { pointer: string }[]).some((e) => /idempotency-key/i.test(e.pointer)),
        `${JSON.stringify(key)}: ${res.text}`,
      );
    }
    assert.deepEqual(await carsWithModel(server, 'BadKey'), []);
  });

  it('accepts a key of 255 visible ASCII characters', async () => {
    const key = Array.from({ length: 255 }, (_, i) => String.fromCharCode(0x21 + (i % 94))).join('');
    const body = { model: 'LongKey', color: 'Red' };
    const first = await post(server, body, key);
    assert.equal(first.status, 201);
    assertReplay(await post(server, body, key), first);
    assert.equal((await carsWithModel(server, 'LongKey')).length, 1);
  });

  it('answers 409 again to a retry of a request that was refused with 409, and changes nothing', async () => {
    const taken = await post(server, { id: 300, model: 'Taken', color: 'Red' });
    assert.equal(taken.status, 201);
    for (let i = 0; i < 2; i++) {
      const res = await post(server, { id: 300, model: 'Retry', color: 'Red' }, 'key-after-409');
      assert.equal(res.status, 409);
      assert.equal(res.json.type, 'urn:cars-api:problem:conflict');
    }
    assert.deepEqual((await server.request('GET', '/cars/300')).json, taken.json);
    assert.deepEqual(await carsWithModel(server, 'Retry'), []);
  });
});

describe('POST /cars with Idempotency-Key across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cars-idempotency-'));
  const databaseUrl = `sqlite:${join(dir, 'cars.db')}`;
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('replays after the server and its store are closed and started again on the same file', async () => {
    const body = { model: 'Durable', color: 'Blue' };
    const first = await startServer({ databaseUrl });
    let original: Answer;
    try {
      original = await post(first, body, 'key-restart');
      assert.equal(original.status, 201);
    } finally {
      await first.close();
    }

    const second = await startServer({ databaseUrl });
    try {
      const replay = await post(second, body, 'key-restart');
      assertReplay(replay, original);
      assert.deepEqual(await carsWithModel(second, 'Durable'), [original.json]);
      const reused = await post(second, { model: 'Durable', color: 'Red' }, 'key-restart');
      assert.equal(reused.status, 422);
    } finally {
      await second.close();
    }
  });
});

describe('POST /cars with an expired Idempotency-Key', () => {
  const server = useServer({ idempotencyTtlMs: 50 });

  it('creates a new car for an auto-assigned id once the key has expired', async () => {
    const body = { model: 'Expiring', color: 'White' };
    const first = await post(server, body, 'key-expire-auto');
    assert.equal(first.status, 201);
    await sleep(120);
    const second = await post(server, body, 'key-expire-auto');
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), null);
    assert.notEqual(second.json.id, first.json.id);
    assert.equal((await carsWithModel(server, 'Expiring')).length, 2);
  });

  it('answers 409 for an explicit id once the key has expired', async () => {
    const body = { id: 500, model: 'ExpiringId', color: 'White' };
    assert.equal((await post(server, body, 'key-expire-id')).status, 201);
    await sleep(120);
    const again = await post(server, body, 'key-expire-id');
    assert.equal(again.status, 409);
    assert.equal(again.json.type, 'urn:cars-api:problem:conflict');
  });

  it('accepts an expired key with another body as a new request', async () => {
    assert.equal((await post(server, { model: 'ExpiringA', color: 'White' }, 'key-expire-body')).status, 201);
    await sleep(120);
    const other = await post(server, { model: 'ExpiringB', color: 'White' }, 'key-expire-body');
    assert.equal(other.status, 201);
    assert.equal(other.headers.get('idempotent-replayed'), null);
    assert.equal((await carsWithModel(server, 'ExpiringB')).length, 1);
  });
});
