/** Two server processes on one PostgreSQL database: shared state, optimistic locking and idempotency across instances. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresMigrations } from '../../src/store/postgres-migrations.js';
import { startServerProcess, stopAll, type ServerProcess } from '../support/process.js';
import { boundedRequest } from './bounded-request.js';
import { createScratchDatabase, describeWithPostgres, uniqueName, withClient, type ScratchDatabase } from './postgres-admin.js';

const RACERS = 50;
const ROUNDS = 3;

/** Starts one server process per URL at the same moment; if any fails, stops the others and rethrows. */
async function startTogether(urls: string[]): Promise<ServerProcess[]> {
  const settled = await Promise.allSettled(urls.map((url) => startServerProcess({ env: { DATABASE_URL: url } })));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await stopAll(started);
    throw failure.reason;
  }
  return started;
}

describeWithPostgres('server processes on PostgreSQL', (adminUrl) => {
  describe('two server processes on one PostgreSQL database', () => {
    let db: ScratchDatabase | undefined;
    let a: ServerProcess;
    let b: ServerProcess;
    const servers: ServerProcess[] = [];

    before(async () => {
      db = await createScratchDatabase(adminUrl, 'cars_scale');
      // Started together on an empty database, so both run migrations under the advisory lock at once.
      servers.push(...(await startTogether([db.url, db.url])));
      [a, b] = servers as [ServerProcess, ServerProcess];
    });
    after(async () => {
      await stopAll(servers);
      await db?.drop();
    });

    it('applies every migration exactly once when both start together', async () => {
      const applied = await withClient(db!.url, (c) =>
        c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'),
      );
      // A racing second migrator would have failed its start-up (duplicate table or version).
      assert.deepEqual(
        applied.rows.map((r) => r.version),
        postgresMigrations.map((m) => m.version),
      );
      for (const server of [a, b]) assert.equal((await boundedRequest(server.url, 'GET', '/readyz')).status, 200);
    });

    it('reads through one instance what was written through the other', async () => {
      const created = await boundedRequest(a.url, 'POST', '/cars', { json: { model: 'Honda', color: 'White' } });
      assert.equal(created.status, 201);
      const location = created.headers.get('location') ?? assert.fail('201 without Location');

      const read = await boundedRequest(b.url, 'GET', location);
      assert.equal(read.status, 200);
      assert.deepEqual(read.json, created.json);
      assert.equal(read.headers.get('etag'), created.headers.get('etag'));

      const replaced = await boundedRequest(b.url, 'PUT', location, { json: { model: 'Honda', color: 'Red' } });
      assert.equal(replaced.status, 200);
      const readBack = await boundedRequest(a.url, 'GET', location);
      assert.deepEqual(readBack.json, { id: created.json.id, model: 'Honda', color: 'Red' });
      assert.equal(readBack.headers.get('etag'), replaced.headers.get('etag'));
    });

    it(`lets exactly one of ${RACERS} racing If-Match updates win, for each of ${ROUNDS} successive versions`, async () => {
      const created = await boundedRequest(a.url, 'POST', '/cars', { json: { model: 'Racer', color: 'Start' } });
      assert.equal(created.status, 201);
      const path = created.headers.get('location') ?? assert.fail('201 without Location');
      let etag = created.headers.get('etag') ?? assert.fail('201 without ETag');

      for (let round = 0; round < ROUNDS; round++) {
        const answers = await Promise.all(
          Array.from({ length: RACERS }, (_, i) =>
            boundedRequest(i % 2 === 0 ? a.url : b.url, 'PATCH', path, {
              json: { color: `round ${round} writer ${i}` },
              headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': etag },
            }),
          ),
        );
        const statuses = answers.map((x) => x.status);
        const winners = answers.filter((x) => x.status === 200);
        assert.equal(winners.length, 1, `round ${round}: exactly one success, got ${JSON.stringify(statuses)}`);
        assert.equal(statuses.filter((s) => s === 412).length, RACERS - 1, `round ${round}: the rest 412, got ${JSON.stringify(statuses)}`);

        const winner = winners[0]!;
        const newETag = winner.headers.get('etag') ?? assert.fail('200 without ETag');
        assert.notEqual(newETag, etag, `round ${round}: the winning write changed the ETag`);
        for (const server of [a, b]) {
          const current = await boundedRequest(server.url, 'GET', path);
          assert.deepEqual(current.json, winner.json, `round ${round}: ${server.url} shows the winning write`);
          assert.equal(current.headers.get('etag'), newETag);
        }
        etag = newETag;
      }
    });

    it('replays an idempotent POST retried on the other instance instead of creating a second car', async () => {
      const model = uniqueName('Idem');
      const key = uniqueName('key');
      const send = (url: string) =>
        boundedRequest(url, 'POST', '/cars', { json: { model, color: 'Blue' }, headers: { 'Idempotency-Key': key } });

      const first = await send(a.url);
      assert.equal(first.status, 201);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      const retry = await send(b.url);
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(retry.json, first.json);
      assert.equal(retry.headers.get('location'), first.headers.get('location'));

      for (const server of [a, b]) {
        const list = await boundedRequest(server.url, 'GET', `/cars?model=${encodeURIComponent(model)}`);
        assert.equal(list.status, 200);
        assert.deepEqual(list.json, [first.json], `${server.url} lists the car once`);
      }
    });
  });

  describe('the tutorial curl session on a PostgreSQL-backed server process', () => {
    let db: ScratchDatabase | undefined;
    let server: ServerProcess | undefined;

    before(async () => {
      db = await createScratchDatabase(adminUrl, 'cars_scale');
      server = await startServerProcess({ env: { DATABASE_URL: db.url } });
    });
    after(async () => {
      await stopAll([server]);
      await db?.drop();
    });

    it('answers 201, 201, 200, 200 Ford, 200, 204, 200 with one car', async () => {
      // The requests of test/tutorial/curl-session.sh, Content-Type on GETs included, as curl sends them.
      const url = server!.url;
      const json = { 'Content-Type': 'application/json' };
      const add1 = await boundedRequest(url, 'POST', '/cars/', { body: '{"id": 1, "model": "Honda", "color": "White" }', headers: json });
      const add2 = await boundedRequest(url, 'POST', '/cars/', { body: '{"id": 2, "model": "Ford", "color": "Black" }', headers: json });
      const list = await boundedRequest(url, 'GET', '/cars/', { headers: json });
      const get2 = await boundedRequest(url, 'GET', '/cars/2', { headers: json });
      const put2 = await boundedRequest(url, 'PUT', '/cars/2', {
        body: '{"id": 2, "model": "New Ford", "color": "New Black" }',
        headers: json,
      });
      const del2 = await boundedRequest(url, 'DELETE', '/cars/2');
      const listAgain = await boundedRequest(url, 'GET', '/cars/', { headers: json });

      assert.deepEqual(
        [add1, add2, list, get2, put2, del2, listAgain].map((x) => x.status),
        [201, 201, 200, 200, 200, 204, 200],
      );
      assert.equal(list.json.length, 2);
      assert.deepEqual(get2.json, { id: 2, model: 'Ford', color: 'Black' });
      assert.deepEqual(put2.json, { id: 2, model: 'New Ford', color: 'New Black' });
      assert.equal(del2.text, '');
      assert.deepEqual(listAgain.json, [{ id: 1, model: 'Honda', color: 'White' }]);
    });
  });
});
