/** WORKERS=2 on one SQLite file: concurrent writes through both workers are all kept, and SIGTERM drains to exit 0. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { startServerProcess, stopAll, type ServerProcess } from '../support/process.js';
import { boundedRequest } from './bounded-request.js';

const CARS = 400;
const CONNECTIONS = 20;

interface Car {
  id: number;
  model: string;
  color: string;
}

/** Bytes a process has written (sockets and files alike), from /proc; undefined where there is no /proc. */
function bytesWritten(pid: number): number | undefined {
  try {
    const match = /^wchar:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Runs `task` for 0..count-1 with at most `lanes` running at once. */
async function inLanes(count: number, lanes: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

describe('WORKERS=2 on one SQLite file', () => {
  let dir = '';
  let file = '';
  let server: ServerProcess | undefined;
  // The content of the last write the server acknowledged (2xx) for each id.
  const acknowledged = new Map<number, Car>();
  const written = new Map<number, number | undefined>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cars-scale-workers-'));
    file = join(dir, 'cars.db');
    server = await startServerProcess({ env: { DATABASE_URL: `sqlite:${file}`, WORKERS: '2' }, listeners: 2 });
  });
  after(async () => {
    await stopAll([server]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('starts two workers on one port', () => {
    assert.equal(new Set(server!.listenerPids).size, 2, server!.output());
  });

  it(`keeps every acknowledged write of ${CARS} creates and ${CARS} updates over ${CONNECTIONS} connections`, async (t) => {
    const url = server!.url;
    for (const pid of server!.listenerPids) written.set(pid, bytesWritten(pid));
    const unexpected: string[] = [];
    let unavailable = 0;

    // Each id is created, then replaced, in order; different ids run concurrently on both workers.
    await inLanes(CARS, CONNECTIONS, async (i) => {
      const id = i + 1;
      const created: Car = { id, model: `Model ${id}`, color: 'Created' };
      const post = await boundedRequest(url, 'POST', '/cars', { json: created });
      if (post.status === 201) {
        assert.deepEqual(post.json, created);
        acknowledged.set(id, created);
      } else if (post.status === 503) unavailable++;
      else unexpected.push(`POST ${id} → ${post.status} ${post.text}`);

      const replaced: Car = { id, model: `Model ${id}`, color: `Updated ${id}` };
      const put = await boundedRequest(url, 'PUT', `/cars/${id}`, { json: replaced });
      if (put.status === 200 || put.status === 201) {
        assert.deepEqual(put.json, replaced);
        acknowledged.set(id, replaced);
      } else if (put.status === 503) unavailable++;
      else unexpected.push(`PUT /cars/${id} → ${put.status} ${put.text}`);
    });

    t.diagnostic(`${acknowledged.size} cars acknowledged, ${unavailable} answers 503`);
    assert.deepEqual(unexpected, [], 'only 2xx, or 503 when the store is busy');
    // 503 is a legitimate answer to lock contention, but a lost write must never hide behind it.
    assert.ok(acknowledged.size > 0, `nothing was acknowledged (${unavailable} answers were 503)`);

    const list = await boundedRequest(url, 'GET', '/cars?limit=1000');
    assert.equal(list.status, 200);
    const listed = new Map((list.json as Car[]).map((car) => [car.id, car]));
    for (const [id, car] of acknowledged) assert.deepEqual(listed.get(id), car, `car ${id} as acknowledged`);
    for (const id of listed.keys()) assert.ok(id >= 1 && id <= CARS, `no car ${id} was ever written`);
  });

  it('spreads the load over both workers', (t) => {
    const deltas = [...written].map(([pid, before]) => {
      const now = bytesWritten(pid);
      return before === undefined || now === undefined ? undefined : now - before;
    });
    if (deltas.length !== 2 || deltas.some((d) => d === undefined)) {
      t.skip('no /proc/<pid>/io to observe the workers through');
      return;
    }
    t.diagnostic(`bytes written per worker during the load: ${deltas.join(', ')}`);
    // A worker writes only when it serves: responses to its sockets, rows to the database file.
    // The server has no per-worker marker in its answers, and must not get one just for a test.
    for (const delta of deltas) assert.ok(delta! > 0, `each worker wrote something: ${JSON.stringify(deltas)}`);
  });

  it('drains on SIGTERM, exits 0 and leaves every acknowledged write in the file', async () => {
    const exit = await server!.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, server!.output());

    const store = openSqliteStore({ filename: file });
    try {
      for (const [id, car] of acknowledged) {
        const stored = await store.get(id);
        assert.deepEqual(stored && { id: stored.id, model: stored.model, color: stored.color }, car, `car ${id} after restart`);
      }
    } finally {
      await store.close();
    }
  });
});
