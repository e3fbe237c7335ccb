/**
 * PostgreSQL store faults under load, on a server process reaching the database through a TCP
 * proxy: access revoked, the database down (connections refused), a table lock held past the
 * statement timeout, and a network partition (black hole). Every answer is a 2xx or a 503 with
 * Retry-After within a bound, the process never dies, and it recovers by itself.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it, type TestContext } from 'node:test';
import pg from 'pg';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { createScratchDatabase, describeWithPostgres, uniqueName, urlFor, withClient, type ScratchDatabase } from '../scale/postgres-admin.js';
import { FAULT_LOAD_IDS, loadDuringFault, summarize, timeUntil, type FaultOutcomes } from './support/fault-load.js';
import { resultLine } from './support/figures.js';
import { keepAliveAgent, send } from './support/http-load.js';
import { SERVER_ENV } from './support/mode.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const STATEMENT_TIMEOUT_MS = 1_000;
// The pool's connect timeout (src/store/postgres-store.ts default).
const CONNECT_TIMEOUT_MS = 5_000;
// An answer may wait for a pooled connection (connect timeout) and then run one statement.
const ANSWER_BOUND_MS = CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 2_000;
const LANES = 10;
const FAULT_MS = 2_000;
const INJECT_AFTER_MS = 500;
const SETTLE_MS = 300;
const RECOVERY_DEADLINE_MS = 15_000;

describeWithPostgres('PostgreSQL store faults under load', (adminUrl) => {
  const role = uniqueName('cars_rel');
  let roleCreated = false;
  let db: ScratchDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let server: ServerProcess | undefined;
  let url = '';
  let serverEnv: Record<string, string> = {};
  const figures: Record<string, string> = {};
  const agent = keepAliveAgent(LANES * 2);

  const admin = (sql: string) => withClient(adminUrl, (c) => c.query(sql));
  const terminateBackends = (name: string) =>
    withClient(adminUrl, (c) =>
      c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]),
    );
  const lastLogLines = () =>
    server!
      .output()
      .split('\n')
      .filter((line) => !line.includes('"msg":"request"'))
      .slice(-12)
      .join(' | ');
  const readyz = async () => (await send(agent, url, 'GET', '/readyz', { timeoutMs: ANSWER_BOUND_MS + 1_000 })).status;
  /** ms until /readyz is 200 and a write succeeds again, or undefined. */
  const recovery = () =>
    timeUntil(async () => {
      if ((await readyz()) !== 200) return false;
      const reply = await send(agent, url, 'PUT', '/cars/1', { json: { model: 'Back', color: 'Green' }, timeoutMs: ANSWER_BOUND_MS });
      return reply.status === 200;
    }, RECOVERY_DEADLINE_MS);

  /** How a scenario injects its fault. */
  interface Fault {
    name: string;
    inject(): Promise<void>;
    restore(): Promise<void>;
    /** Inject INJECT_AFTER_MS into the load, so the fault lands on requests in flight (else before it, with SETTLE_MS to settle). */
    duringLoad: boolean;
    expectNotReady: boolean;
  }

  /** (Re)starts the server if a scenario before this one killed it. */
  async function ensureServer(): Promise<void> {
    if (server?.isRunning()) return;
    await server?.stop().catch(() => server?.kill());
    server = await startServerProcess({ env: serverEnv });
    url = server.url;
  }

  /** Load for FAULT_MS with the fault injected, then restore and check the recovery; records one figure. */
  async function faultScenario(t: TestContext, fault: Fault): Promise<void> {
    await ensureServer();
    let outcomes: FaultOutcomes;
    let ready: number | string;
    let injected = false;
    try {
      if (!fault.duringLoad) {
        await fault.inject();
        injected = true;
        // Let the server see its connections go while idle; a drop under a transaction is its own scenario.
        await sleep(SETTLE_MS);
      }
      const load = loadDuringFault(agent, url, LANES, FAULT_MS, ANSWER_BOUND_MS + 1_000);
      if (fault.duringLoad) {
        await sleep(INJECT_AFTER_MS);
        await fault.inject();
        injected = true;
      }
      const readiness = sleep(FAULT_MS / 2).then(() => readyz().catch((err: unknown) => String(err)));
      [outcomes, ready] = await Promise.all([load, readiness]);
    } finally {
      if (injected) await fault.restore();
    }
    await sleep(SETTLE_MS);
    const up = server!.isRunning();
    const recoveredMs = up ? await recovery() : undefined;
    const after = await loadDuringFault(agent, url, LANES, server!.isRunning() ? 500 : 0, ANSWER_BOUND_MS);
    figures[fault.name] =
      `${summarize(outcomes)},readyz:${typeof ready === 'number' ? ready : 'no-answer'},` +
      `recoveryMs:${recoveredMs === undefined ? 'none' : Math.round(recoveredMs)},afterOk:${after.ok}/${after.total},processUp:${server!.isRunning()}`;
    for (const line of outcomes.bad.slice(0, 3)) t.diagnostic(line);
    if (!server!.isRunning()) t.diagnostic(`the server died: ${lastLogLines()}`);

    assert.ok(server!.isRunning(), 'the server is still up');
    assert.deepEqual(outcomes.bad.slice(0, 10), [], 'every answer during the fault is a 2xx or a 503');
    assert.ok(outcomes.unavailable > 0, 'the fault was seen (some 503s)');
    assert.equal(outcomes.missingRetryAfter, 0, 'every 503 carries Retry-After');
    assert.ok(outcomes.maxMs < ANSWER_BOUND_MS, `every answer within ${ANSWER_BOUND_MS} ms (slowest ${Math.round(outcomes.maxMs)} ms)`);
    if (fault.expectNotReady) assert.equal(ready, 503, 'GET /readyz is 503 during the fault');
    else assert.equal(typeof ready, 'number', 'GET /readyz answers during the fault');
    assert.ok(recoveredMs !== undefined, `ready and writable again within ${RECOVERY_DEADLINE_MS} ms, without a restart`);
    assert.equal(after.ok, after.total, `every request succeeds after the recovery (${summarize(after)})`);
  }

  before(async () => {
    await admin(`CREATE ROLE ${role} LOGIN`);
    roleCreated = true;
    db = await createScratchDatabase(adminUrl, 'cars_rel_faults', role);
    const target = new URL(adminUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(urlFor(adminUrl, db.name, role));
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    serverEnv = { ...SERVER_ENV, DATABASE_URL: viaProxy.toString(), DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) };
    await ensureServer();
    for (let id = 1; id <= FAULT_LOAD_IDS; id++) {
      const reply = await send(agent, url, 'PUT', `/cars/${id}`, { json: { model: 'Seed', color: 'Grey' } });
      assert.equal(reply.status, 201, reply.text);
    }
  });
  after(async () => {
    resultLine('store-faults postgres', figures);
    agent.destroy();
    await server?.stop().catch(() => server?.kill());
    await proxy?.close();
    if (db) {
      await terminateBackends(db.name);
      await db.drop();
    }
    if (roleCreated) await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  it('answers 503 and is not ready while CONNECT is revoked, then recovers by itself', { timeout: 60_000 }, async (t) => {
    const name = db!.name;
    await faultScenario(t, {
      name: 'revoked',
      inject: async () => {
        await admin(`REVOKE CONNECT ON DATABASE ${name} FROM PUBLIC, ${role}`);
        await terminateBackends(name);
      },
      restore: async () => {
        await admin(`GRANT CONNECT ON DATABASE ${name} TO PUBLIC, ${role}`);
      },
      duringLoad: false,
      expectNotReady: true,
    });
  });

  it('answers 503 and is not ready while the database refuses connections, then recovers by itself', { timeout: 60_000 }, async (t) => {
    await faultScenario(t, {
      name: 'down',
      inject: () => proxy!.setMode('refuse'),
      restore: () => proxy!.setMode('forward'),
      duringLoad: false,
      expectNotReady: true,
    });
  });

  it('answers 503 within the statement timeout while a table lock blocks every statement, then recovers', { timeout: 60_000 }, async (t) => {
    const locker = new pg.Client({ connectionString: db!.url, connectionTimeoutMillis: 5_000 });
    await locker.connect();
    try {
      await faultScenario(t, {
        name: 'locked',
        inject: async () => {
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE cars IN ACCESS EXCLUSIVE MODE');
        },
        restore: async () => {
          await locker.query('ROLLBACK');
        },
        duringLoad: true,
        // SELECT 1 needs no lock on cars: the database itself still answers, so readiness may stay 200.
        expectNotReady: false,
      });
    } finally {
      await locker.end();
    }
  });

  it(
    'answers 503 while the database goes down under transactions in flight, then recovers',
    {
      timeout: 60_000,
    },
    async (t) => {
      await faultScenario(t, {
        name: 'droppedMidTransaction',
        inject: () => proxy!.setMode('refuse'),
        restore: () => proxy!.setMode('forward'),
        duringLoad: true,
        expectNotReady: true,
      });
    },
  );

  it(
    'answers 503 within a bound while the network to the database drops every packet, then recovers',
    {
      timeout: 60_000,
    },
    async (t) => {
      await faultScenario(t, {
        name: 'partitioned',
        inject: () => proxy!.setMode('blackhole'),
        restore: () => proxy!.setMode('forward'),
        duringLoad: false,
        expectNotReady: true,
      });
    },
  );
});
