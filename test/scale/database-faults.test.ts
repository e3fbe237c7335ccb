/** A server process whose PostgreSQL database goes away and comes back: 503 with Retry-After, no hang, recovery without a restart. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { startServerProcess, stopAll, type ServerProcess } from '../support/process.js';
import type { Answer } from '../support/server.js';
import { boundedRequest } from './bounded-request.js';
import { createScratchDatabase, describeWithPostgres, uniqueName, urlFor, withClient, type ScratchDatabase } from './postgres-admin.js';

const STATEMENT_TIMEOUT_MS = 500;
const RECOVERY_DEADLINE_MS = 15_000;

/** Fails unless the answer is a 503 problem with a Retry-After of whole seconds; the server's last error log explains a miss. */
function assertUnavailable(answer: Answer, what: string, server: ServerProcess): void {
  if (answer.status !== 503) {
    const lines = server.output().split('\n');
    const lastError = lines.findLast((line) => /"level":(40|50|60)/.test(line)) ?? lines.at(-1);
    assert.fail(`${what}: expected 503, got ${answer.status} ${answer.text}\nserver log: ${lastError?.slice(0, 600)}`);
  }
  assert.match(answer.headers.get('retry-after') ?? '', /^\d+$/, `${what}: Retry-After`);
}

/** Polls `probe` until it is true or the deadline passes; resolves whether it became true. */
async function eventually(probe: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await sleep(200);
  }
  return false;
}

describeWithPostgres('a server process when PostgreSQL becomes unreachable', (adminUrl) => {
  const role = uniqueName('cars_fault');
  let roleCreated = false;
  let db: ScratchDatabase | undefined;
  let server: ServerProcess | undefined;
  let url = '';

  const admin = (sql: string) => withClient(adminUrl, (c) => c.query(sql));
  const terminateBackends = (name: string) =>
    withClient(adminUrl, (c) =>
      c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]),
    );

  before(async () => {
    await admin(`CREATE ROLE ${role} LOGIN`);
    roleCreated = true;
    db = await createScratchDatabase(adminUrl, 'cars_fault', role);
    server = await startServerProcess({
      env: { DATABASE_URL: urlFor(adminUrl, db.name, role), DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) },
    });
    url = server.url;
  });
  after(async () => {
    await stopAll([server]);
    if (db) {
      await terminateBackends(db.name);
      await db.drop();
    }
    if (roleCreated) await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  it('is ready and takes writes while the database is reachable', async () => {
    assert.equal((await boundedRequest(url, 'GET', '/readyz')).status, 200);
    assert.equal((await boundedRequest(url, 'POST', '/cars', { json: { model: 'Honda', color: 'White' } })).status, 201);
  });

  it('answers 503 with Retry-After while access is revoked, then recovers without a restart', async () => {
    const name = db!.name;
    await admin(`REVOKE CONNECT ON DATABASE ${name} FROM PUBLIC, ${role}`);
    try {
      await terminateBackends(name);

      assertUnavailable(await boundedRequest(url, 'GET', '/cars'), 'GET /cars', server!);
      assertUnavailable(await boundedRequest(url, 'POST', '/cars', { json: { model: 'Ford', color: 'Black' } }), 'POST /cars', server!);
      assertUnavailable(await boundedRequest(url, 'GET', '/readyz'), 'GET /readyz', server!);
      assert.ok(server!.isRunning(), `the process is still running\n${server!.output()}`);
    } finally {
      await admin(`GRANT CONNECT ON DATABASE ${name} TO PUBLIC, ${role}`);
    }

    const ready = await eventually(async () => (await boundedRequest(url, 'GET', '/readyz')).status === 200, RECOVERY_DEADLINE_MS);
    assert.ok(ready, `GET /readyz answered 200 again within ${RECOVERY_DEADLINE_MS} ms of GRANT CONNECT`);
    const created = await boundedRequest(url, 'POST', '/cars', { json: { model: 'Ford', color: 'Black' } });
    assert.equal(created.status, 201);
    const read = await boundedRequest(url, 'GET', created.headers.get('location') ?? assert.fail('201 without Location'));
    assert.deepEqual(read.json, created.json);
  });

  it('answers 503 instead of hanging when a statement waits on a lock past the statement timeout', async () => {
    const created = await boundedRequest(url, 'POST', '/cars', { json: { model: 'Locked', color: 'Grey' } });
    assert.equal(created.status, 201);
    const path = created.headers.get('location') ?? assert.fail('201 without Location');

    const locker = new pg.Client({ connectionString: db!.url, connectionTimeoutMillis: 5_000 });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE cars IN ACCESS EXCLUSIVE MODE');
      assertUnavailable(await boundedRequest(url, 'GET', path), `GET ${path} behind the lock`, server!);
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }

    const read = await boundedRequest(url, 'GET', path);
    assert.equal(read.status, 200);
    assert.deepEqual(read.json, created.json);
  });
});
