/** ETags and conditional requests over HTTP (RFC 9110 §8.8.3, §13; RFC 6585 §3 for 428). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Car } from '../../src/types.js';
import { useServer, type Answer, type ServerOptions, type TestServer } from '../support/server.js';

const MERGE_PATCH = { 'Content-Type': 'application/merge-patch+json' };

/** The ETag of an answer, checked to be a strong tag (no W/ prefix). */
function strongTag(answer: Answer): string {
  const tag = answer.headers.get('etag');
  assert.ok(tag !== null, `${answer.status} carries an ETag`);
  assert.match(tag, /^"[\x21\x23-\x7e]+"$/, 'a strong entity tag');
  return tag;
}

/** The weak form of a strong tag. */
const weak = (tag: string) => `W/${tag}`;

async function create(server: TestServer, car: Car): Promise<string> {
  const res = await server.request('PUT', `/cars/${car.id}`, { json: car });
  assert.equal(res.status, 201);
  return strongTag(res);
}

/** Reads a car and its ETag. */
async function read(server: TestServer, id: number): Promise<{ car: Car; tag: string }> {
  const res = await server.request('GET', `/cars/${id}`);
  assert.equal(res.status, 200);
  return { car: res.json as Car, tag: strongTag(res) };
}

/** Asserts a 412 problem and that the car (body and tag) did not change. */
async function assertRefused(server: TestServer, res: Answer, id: number, unchanged: { car: Car; tag: string } | undefined): Promise<void> {
  assert.equal(res.status, 412, res.text);
  assert.equal(res.json.type, 'urn:cars-api:problem:precondition-failed');
  if (unchanged) assert.deepEqual(await read(server, id), unchanged);
  else assert.equal((await server.request('GET', `/cars/${id}`)).status, 404);
}

describe('ETag', () => {
  const server = useServer();
  // Every test works on cars of its own, so the tests pass in any order.
  let lastId = 0;
  const freshId = () => ++lastId;

  describe('GET /cars/{carId}', () => {
    it('answers a strong ETag that the write returned, and the same tag on every read', async () => {
      const id = freshId();
      const tag = await create(server, { id, model: 'Honda', color: 'White' });
      assert.equal((await read(server, id)).tag, tag);
      assert.equal((await read(server, id)).tag, tag);
      const head = await server.request('HEAD', `/cars/${id}`);
      assert.equal(head.headers.get('etag'), tag);
    });

    it('changes the tag on every PUT, even one that repeats the same content', async () => {
      const id = freshId();
      const tags = new Set([await create(server, { id, model: 'Honda', color: 'White' })]);
      for (let i = 0; i < 3; i++) {
        const res = await server.request('PUT', `/cars/${id}`, { json: { model: 'Honda', color: 'White' } });
        assert.equal(res.status, 200);
        const tag = strongTag(res);
        assert.equal((await read(server, id)).tag, tag, 'GET answers the tag the PUT returned');
        tags.add(tag);
      }
      assert.equal(tags.size, 4);
    });

    it('changes the tag on every PATCH', async () => {
      const id = freshId();
      const old = await create(server, { id, model: 'Honda', color: 'White' });
      const res = await server.request('PATCH', `/cars/${id}`, { body: '{"color":"Blue"}', headers: MERGE_PATCH });
      assert.equal(res.status, 200);
      const patched = strongTag(res);
      assert.notEqual(patched, old);
      assert.equal((await read(server, id)).tag, patched);
      const same = await server.request('PATCH', `/cars/${id}`, { body: '{"color":"Blue"}', headers: MERGE_PATCH });
      assert.notEqual(strongTag(same), patched, 'a PATCH that changes nothing is still a write');
    });

    it('gives a car deleted and created again with the same content a new tag', async () => {
      const id = freshId();
      const first = await create(server, { id, model: 'Ford', color: 'Black' });
      assert.equal((await server.request('DELETE', `/cars/${id}`)).status, 204);
      const second = await create(server, { id, model: 'Ford', color: 'Black' });
      assert.notEqual(second, first);
      assert.equal((await server.request('DELETE', `/cars/${id}`)).status, 204);
      const third = await server.request('POST', '/cars', { json: { id, model: 'Ford', color: 'Black' } });
      assert.equal(third.status, 201);
      assert.ok(![first, second].includes(strongTag(third)));
    });

    it('never gives two cars the same tag', async () => {
      const a = await create(server, { id: freshId(), model: 'Same', color: 'Same' });
      const b = await create(server, { id: freshId(), model: 'Same', color: 'Same' });
      assert.notEqual(a, b);
    });
  });

  describe('If-None-Match on GET /cars/{carId}', () => {
    let id: number;
    let current: { car: Car; tag: string };
    beforeEach(async () => {
      id = freshId();
      await create(server, { id, model: 'Tesla', color: 'Red' });
      current = await read(server, id);
    });

    it('answers 304 with the ETag and no body for the current tag', async () => {
      const res = await server.request('GET', `/cars/${id}`, { headers: { 'If-None-Match': current.tag } });
      assert.equal(res.status, 304);
      assert.equal(res.text, '');
      assert.equal(res.headers.get('etag'), current.tag);
    });

    it('answers 304 for *, for a list holding the tag, and for its weak form (weak comparison)', async () => {
      for (const value of ['*', `"999999", ${current.tag}`, weak(current.tag)]) {
        const res = await server.request('GET', `/cars/${id}`, { headers: { 'If-None-Match': value } });
        assert.equal(res.status, 304, value);
        assert.equal(res.headers.get('etag'), current.tag, value);
      }
    });

    it('answers 304 to HEAD as well', async () => {
      const res = await server.request('HEAD', `/cars/${id}`, { headers: { 'If-None-Match': current.tag } });
      assert.equal(res.status, 304);
    });

    it('answers 200 with the car for a stale or foreign tag', async () => {
      const stale = current.tag;
      const res = await server.request('PATCH', `/cars/${id}`, { body: '{"model":"Tesla S"}', headers: MERGE_PATCH });
      assert.equal(res.status, 200);
      current = await read(server, id);
      for (const value of [stale, '"abc"', '"0"', 'garbage']) {
        const answer = await server.request('GET', `/cars/${id}`, { headers: { 'If-None-Match': value } });
        assert.equal(answer.status, 200, value);
        assert.deepEqual(answer.json, { id, model: 'Tesla S', color: 'Red' });
        assert.equal(answer.headers.get('etag'), current.tag);
      }
    });

    it('answers 404 for a missing car, whatever the tag', async () => {
      const res = await server.request('GET', '/cars/424242', { headers: { 'If-None-Match': '*' } });
      assert.equal(res.status, 404);
    });
  });

  describe('If-Match on writes', () => {
    let id: number;
    let current: { car: Car; tag: string };
    let stale: string;
    beforeEach(async () => {
      id = freshId();
      stale = await create(server, { id, model: 'Volvo', color: 'Green' });
      const res = await server.request('PUT', `/cars/${id}`, { json: { model: 'Volvo', color: 'Grey' } });
      assert.equal(res.status, 200);
      current = await read(server, id);
    });

    it('answers 412 to PUT, PATCH and DELETE with a stale tag, and changes nothing', async () => {
      const put = await server.request('PUT', `/cars/${id}`, { json: { model: 'X', color: 'Y' }, headers: { 'If-Match': stale } });
      await assertRefused(server, put, id, current);
      const patch = await server.request('PATCH', `/cars/${id}`, { body: '{"color":"Pink"}', headers: { ...MERGE_PATCH, 'If-Match': stale } });
      await assertRefused(server, patch, id, current);
      const del = await server.request('DELETE', `/cars/${id}`, { headers: { 'If-Match': stale } });
      await assertRefused(server, del, id, current);
    });

    it('answers 412 to a weak tag, even one naming the current revision (strong comparison)', async () => {
      const put = await server.request('PUT', `/cars/${id}`, { json: { model: 'X', color: 'Y' }, headers: { 'If-Match': weak(current.tag) } });
      await assertRefused(server, put, id, current);
      const patch = await server.request('PATCH', `/cars/${id}`, { body: '{"color":"Pink"}', headers: { ...MERGE_PATCH, 'If-Match': weak(current.tag) } });
      await assertRefused(server, patch, id, current);
      const del = await server.request('DELETE', `/cars/${id}`, { headers: { 'If-Match': weak(current.tag) } });
      await assertRefused(server, del, id, current);
    });

    it('answers 412 to a tag that is not one of ours', async () => {
      for (const value of ['"abc"', '"0"', '"-1"', `"${current.tag}"`, current.tag.slice(1, -1), '"99999999999999999999"']) {
        const res = await server.request('PUT', `/cars/${id}`, { json: { model: 'X', color: 'Y' }, headers: { 'If-Match': value } });
        await assertRefused(server, res, id, current);
      }
    });

    it('writes with the current tag, alone or in a list, and answers the new tag', async () => {
      const put = await server.request('PUT', `/cars/${id}`, { json: { model: 'Volvo', color: 'Blue' }, headers: { 'If-Match': current.tag } });
      assert.equal(put.status, 200);
      assert.deepEqual(put.json, { id, model: 'Volvo', color: 'Blue' });
      const afterPut = strongTag(put);
      assert.notEqual(afterPut, current.tag);

      const patch = await server.request('PATCH', `/cars/${id}`, {
        body: '{"model":"Saab"}',
        headers: { ...MERGE_PATCH, 'If-Match': `"1", ${weak(afterPut)}, ${afterPut}` },
      });
      assert.equal(patch.status, 200);
      assert.deepEqual(patch.json, { id, model: 'Saab', color: 'Blue' });
      current = await read(server, id);
      assert.equal(current.tag, strongTag(patch));

      const del = await server.request('DELETE', `/cars/${id}`, { headers: { 'If-Match': current.tag } });
      assert.equal(del.status, 204);
      assert.equal((await server.request('GET', `/cars/${id}`)).status, 404);
    });

    it('treats If-Match: * as "exists": 200 on an existing car, 412 and no car when absent', async () => {
      const hit = await server.request('PUT', `/cars/${id}`, { json: { model: 'Mini', color: 'Blue' }, headers: { 'If-Match': '*' } });
      assert.equal(hit.status, 200);
      const absent = freshId();
      const miss = await server.request('PUT', `/cars/${absent}`, { json: { model: 'Mini', color: 'Blue' }, headers: { 'If-Match': '*' } });
      await assertRefused(server, miss, absent, undefined);
    });

    it('answers 412 to a PUT with If-Match on an absent car, and creates nothing', async () => {
      const absent = freshId();
      const res = await server.request('PUT', `/cars/${absent}`, { json: { model: 'Kia', color: 'Red' }, headers: { 'If-Match': '"1"' } });
      await assertRefused(server, res, absent, undefined);
    });
  });

  describe('If-None-Match: * on PUT', () => {
    it('creates an absent car with 201', async () => {
      const id = freshId();
      const res = await server.request('PUT', `/cars/${id}`, { json: { model: 'Fiat', color: 'Red' }, headers: { 'If-None-Match': '*' } });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('location'), `/cars/${id}`);
      assert.equal((await read(server, id)).tag, strongTag(res));
    });

    it('answers 412 when the car exists, and keeps it', async () => {
      const id = freshId();
      await create(server, { id, model: 'Fiat', color: 'Red' });
      const current = await read(server, id);
      const res = await server.request('PUT', `/cars/${id}`, { json: { model: 'Other', color: 'Blue' }, headers: { 'If-None-Match': '*' } });
      await assertRefused(server, res, id, current);
    });

    it('answers 400 for an If-None-Match on PUT other than *', async () => {
      const id = freshId();
      const tag = await create(server, { id, model: 'Fiat', color: 'Red' });
      const res = await server.request('PUT', `/cars/${id}`, { json: { model: 'Other', color: 'Blue' }, headers: { 'If-None-Match': tag } });
      assert.equal(res.status, 400);
      assert.deepEqual((await read(server, id)).car, { id, model: 'Fiat', color: 'Red' });
    });
  });
});

describe('a server that requires If-Match', () => {
  const server = useServer({ requireIfMatch: true });
  // Each test gets a car of its own, so the tests pass in any order.
  let lastId = 0;
  let id: number;
  let tag: string;
  beforeEach(async () => {
    id = ++lastId;
    tag = await create(server, { id, model: 'Honda', color: 'White' });
  });

  const assertRequired = async (res: Answer) => {
    assert.equal(res.status, 428, res.text);
    assert.equal(res.json.type, 'urn:cars-api:problem:precondition-required');
    assert.deepEqual(await read(server, id), { car: { id, model: 'Honda', color: 'White' }, tag });
  };

  it('answers 428 to unconditional PUT, PATCH and DELETE of an existing car, and changes nothing', async () => {
    await assertRequired(await server.request('PUT', `/cars/${id}`, { json: { model: 'X', color: 'Y' } }));
    await assertRequired(await server.request('PATCH', `/cars/${id}`, { body: '{"color":"Y"}', headers: MERGE_PATCH }));
    await assertRequired(await server.request('DELETE', `/cars/${id}`));
  });

  it('still creates an absent car with PUT and no If-Match', async () => {
    const absent = 1000 + id;
    const res = await server.request('PUT', `/cars/${absent}`, { json: { model: 'Ford', color: 'Black' } });
    assert.equal(res.status, 201);
    assert.equal((await read(server, absent)).tag, strongTag(res));
  });

  it('still creates with POST, which has no precondition', async () => {
    const res = await server.request('POST', '/cars', { json: { model: 'Kia', color: 'Red' } });
    assert.equal(res.status, 201);
  });

  it('answers 404, not 428, to an unconditional PATCH or DELETE of a missing car', async () => {
    assert.equal((await server.request('PATCH', '/cars/424242', { body: '{"color":"Y"}', headers: MERGE_PATCH })).status, 404);
    assert.equal((await server.request('DELETE', '/cars/424242')).status, 404);
  });

  it('answers 412, not 428, to a stale If-Match', async () => {
    const res = await server.request('PUT', `/cars/${id}`, { json: { model: 'X', color: 'Y' }, headers: { 'If-Match': '"999999"' } });
    await assertRefused(server, res, id, { car: { id, model: 'Honda', color: 'White' }, tag });
  });

  it('writes with the current tag', async () => {
    const put = await server.request('PUT', `/cars/${id}`, { json: { model: 'Honda', color: 'Red' }, headers: { 'If-Match': tag } });
    assert.equal(put.status, 200);
    const patch = await server.request('PATCH', `/cars/${id}`, { body: '{"model":"Civic"}', headers: { ...MERGE_PATCH, 'If-Match': strongTag(put) } });
    assert.equal(patch.status, 200);
    assert.deepEqual(patch.json, { id, model: 'Civic', color: 'Red' });
    const del = await server.request('DELETE', `/cars/${id}`, { headers: { 'If-Match': strongTag(patch) } });
    assert.equal(del.status, 204);
  });
});

/** Registers the race tests over a server built with `options`. */
function describeRaces(name: string, options: ServerOptions, cleanup: () => void = () => {}) {
  describe(`racing If-Match writes (${name})`, () => {
    const server = useServer(options);
    after(cleanup);

    /** Fires `n` writes at once, all conditional on the same tag; exactly one may win. */
    async function race(id: number, write: (i: number, tag: string) => Promise<Answer>, n = 30): Promise<void> {
      const { tag } = await read(server, id);
      const answers = await Promise.all(Array.from({ length: n }, (_, i) => write(i, tag)));
      const winners = answers.filter((a) => a.status >= 200 && a.status < 300);
      const losers = answers.filter((a) => a.status === 412);
      assert.equal(winners.length, 1, `statuses: ${answers.map((a) => a.status).join(',')}`);
      assert.equal(losers.length, n - 1, `statuses: ${answers.map((a) => a.status).join(',')}`);
      const [winner] = winners;
      assert.ok(winner);
      const final = await read(server, id);
      assert.deepEqual(final.car, winner.json, "the stored car is the winner's");
      assert.equal(final.tag, strongTag(winner), "the stored tag is the winner's");
    }

    it('lets exactly one of 30 concurrent PUTs with the same If-Match win', async () => {
      await create(server, { id: 1, model: 'Start', color: 'Start' });
      await race(1, (i, tag) => server.request('PUT', '/cars/1', { json: { model: `Model ${i}`, color: `Color ${i}` }, headers: { 'If-Match': tag } }));
    });

    it('lets exactly one of 30 concurrent PATCHes with the same If-Match win', async () => {
      await create(server, { id: 2, model: 'Start', color: 'Start' });
      await race(2, (i, tag) =>
        server.request('PATCH', '/cars/2', { body: JSON.stringify({ color: `Patched ${i}` }), headers: { ...MERGE_PATCH, 'If-Match': tag } }),
      );
    });

    it('lets exactly one of 30 concurrent PUTs with If-None-Match: * create the car', async () => {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          server.request('PUT', '/cars/3', { json: { model: `Model ${i}`, color: 'New' }, headers: { 'If-None-Match': '*' } }),
        ),
      );
      const created = answers.filter((a) => a.status === 201);
      assert.equal(created.length, 1, `statuses: ${answers.map((a) => a.status).join(',')}`);
      assert.equal(answers.filter((a) => a.status === 412).length, 29);
      assert.deepEqual((await read(server, 3)).car, created[0]?.json);
    });

    it('lets exactly one of 30 concurrent DELETEs with the same If-Match delete', async () => {
      const tag = await create(server, { id: 4, model: 'Start', color: 'Start' });
      const answers = await Promise.all(Array.from({ length: 30 }, () => server.request('DELETE', '/cars/4', { headers: { 'If-Match': tag } })));
      assert.equal(answers.filter((a) => a.status === 204).length, 1);
      // The losers see either the stale tag (412) or, once it is gone, no car (404).
      assert.ok(answers.every((a) => [204, 404, 412].includes(a.status)), answers.map((a) => a.status).join(','));
      assert.equal((await server.request('GET', '/cars/4')).status, 404);
    });
  });
}

describeRaces('in-memory SQLite', {});

const dir = mkdtempSync(join(tmpdir(), 'cars-conditional-'));
describeRaces(
  'file-backed SQLite',
  { databaseUrl: `sqlite:${join(dir, 'cars.db')}` },
  () => rmSync(dir, { recursive: true, force: true }),
);
