/**
 * Crash durability: creates and updates over 20 connections, SIGKILL at a random point, restart on
 * the same store; every acknowledged write must be there, whole, and no row may be torn.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { createScratchDatabase, describeWithPostgres } from '../scale/postgres-admin.js';
import { listAllCars } from './support/car-listing.js';
import { resultLine } from './support/figures.js';
import { NoAnswer, inLanes, keepAliveAgent, send } from './support/http-load.js';
import { LONG, SERVER_ENV, sized } from './support/mode.js';
import { WriteLedger, fieldsFor, type Verdict } from './support/write-ledger.js';

const ROUNDS = 5;
const CONNECTIONS = 20;
// Writes attempted per round: the SIGKILL lands at a random point among them, and the rest go
// to the restarted server, so every round attempts all of them.
const WRITES_PER_ROUND = sized(2_000, 10_000);
const KILL_BETWEEN = [0.2, 0.8] as const;
const TIMEOUT_MS = sized(180_000, 900_000);

interface Totals {
  attempted: number;
  acknowledged: number;
  /** Rows read back, summed over every check. */
  idsChecked: number;
  lost: string[];
  torn: string[];
  unexpected: string[];
  failures: string[];
  unansweredApplied: number;
  unansweredLost: number;
}

/** One phase of writes against a live server: `budget` attempts over CONNECTIONS lanes, optionally SIGKILLed at attempt `killAt`. */
async function writePhase(
  server: ServerProcess,
  ledger: WriteLedger,
  totals: Totals,
  budget: number,
  killAt: number | undefined,
  tokenPrefix: string,
): Promise<void> {
  const agent = keepAliveAgent(CONNECTIONS);
  let started = 0;
  let killing: Promise<unknown> | undefined;
  const stopped = () => killing !== undefined || started >= budget;

  await inLanes(CONNECTIONS, async (lane) => {
    for (let n = 0; !stopped(); n++) {
      started++;
      totals.attempted++;
      if (started === killAt) killing = server.kill();
      const token = `${tokenPrefix}.${lane}.${n}`;
      const ids = ledger.idsOf(lane);
      const id = ids.length < 3 || Math.random() < 0.25 ? undefined : ids[Math.floor(Math.random() * ids.length)];
      try {
        if (id === undefined) {
          const reply = await send(agent, server.url, 'POST', '/cars', { json: fieldsFor(token) }).catch((err: unknown) => {
            if (err instanceof NoAnswer) ledger.createUnanswered(lane, token);
            throw err;
          });
          if (reply.status !== 201) throw new Error(`POST /cars answered ${reply.status} ${reply.text}`);
          const car = JSON.parse(reply.text) as { id: number; model: string; color: string };
          assert.deepEqual(car, { id: car.id, ...fieldsFor(token) }, 'the 201 body echoes the write');
          ledger.createAcknowledged(lane, token, car.id);
        } else {
          ledger.putSent(id, token);
          const reply = await send(agent, server.url, 'PUT', `/cars/${id}`, { json: fieldsFor(token) });
          if (reply.status !== 200) throw new Error(`PUT /cars/${id} answered ${reply.status} ${reply.text}`);
          ledger.putAcknowledged(id, token);
        }
      } catch (err) {
        // After the SIGKILL no answer is expected; before it, any failure is a finding.
        if (!(killing !== undefined && err instanceof NoAnswer)) totals.failures.push(String(err));
        if (killing !== undefined) return;
      }
    }
  });
  await killing;
  agent.destroy();
}

/** Adds a check's figures to the totals. */
function record(totals: Totals, verdict: Verdict): void {
  totals.idsChecked += verdict.rows;
  totals.lost.push(...verdict.lost);
  totals.torn.push(...verdict.torn);
  totals.unexpected.push(...verdict.unexpected);
  totals.unansweredApplied += verdict.unansweredApplied;
  totals.unansweredLost += verdict.unansweredLost;
}

/** ROUNDS x (writes, SIGKILL at a random point, restart on the same store, check, rest of the writes), then a last check. */
async function crashRounds(t: TestContext, scenario: string, databaseUrl: string): Promise<void> {
  const ledger = new WriteLedger();
  const totals: Totals = {
    attempted: 0,
    acknowledged: 0,
    idsChecked: 0,
    lost: [],
    torn: [],
    unexpected: [],
    failures: [],
    unansweredApplied: 0,
    unansweredLost: 0,
  };
  const env = { ...SERVER_ENV, DATABASE_URL: databaseUrl };
  let server = await startServerProcess({ env });
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const killAt = Math.floor(WRITES_PER_ROUND * (KILL_BETWEEN[0] + Math.random() * (KILL_BETWEEN[1] - KILL_BETWEEN[0])));
      const before = totals.attempted;
      const started = performance.now();
      await writePhase(server, ledger, totals, WRITES_PER_ROUND, killAt, `r${round}a`);
      const exit = await server.exited;
      assert.equal(exit.signal, 'SIGKILL', `round ${round}: the server died of the SIGKILL`);

      const killed = performance.now();
      server = await startServerProcess({ env });
      const restarted = performance.now();
      const verdict = ledger.verify(await listAllCars(server.url));
      const checked = performance.now();
      record(totals, verdict);
      t.diagnostic(
        `round ${round}: killed after ${totals.attempted - before} of ${WRITES_PER_ROUND} writes (kill point ${killAt}); ` +
          `${verdict.rows} rows read back, lost=${verdict.lost.length} torn=${verdict.torn.length} ` +
          `unanswered applied=${verdict.unansweredApplied} not applied=${verdict.unansweredLost}; ` +
          `writes ${Math.round(killed - started)} ms, restart ${Math.round(restarted - killed)} ms, check ${Math.round(checked - restarted)} ms`,
      );
      await writePhase(server, ledger, totals, WRITES_PER_ROUND - (totals.attempted - before), undefined, `r${round}b`);
    }
    record(totals, ledger.verify(await listAllCars(server.url)));
  } finally {
    await server.stop().catch(() => server.kill());
  }
  totals.acknowledged = ledger.acknowledged;

  resultLine(scenario, {
    rounds: ROUNDS,
    connections: CONNECTIONS,
    writesAttempted: totals.attempted,
    acknowledged: totals.acknowledged,
    rowsReadBack: totals.idsChecked,
    lost: totals.lost.length,
    torn: totals.torn.length,
    unexpected: totals.unexpected.length,
    failedRequests: totals.failures.length,
    unansweredApplied: totals.unansweredApplied,
    unansweredNotApplied: totals.unansweredLost,
    mode: LONG ? 'long' : 'short',
  });
  assert.ok(totals.attempted >= ROUNDS * WRITES_PER_ROUND, `every planned write was attempted (${totals.attempted})`);
  assert.deepEqual(totals.lost.slice(0, 10), [], 'no acknowledged write is lost');
  assert.deepEqual(totals.torn.slice(0, 10), [], 'no row is torn');
  assert.deepEqual(totals.unexpected.slice(0, 10), [], 'no row is unexplained');
  assert.deepEqual(totals.failures.slice(0, 10), [], 'no write failed while the server was up');
}

describe('crash durability: SIGKILL under write load, restart on the same store', () => {
  it('keeps every acknowledged write whole on SQLite (WAL, synchronous=NORMAL)', { timeout: TIMEOUT_MS }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cars-crash-'));
    try {
      await crashRounds(t, 'crash-durability sqlite', `sqlite:${join(dir, 'cars.db')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithPostgres('crash durability on PostgreSQL', (adminUrl) => {
  it('keeps every acknowledged write whole on a fresh PostgreSQL database', { timeout: TIMEOUT_MS }, async (t) => {
    const db = await createScratchDatabase(adminUrl, 'cars_crash');
    try {
      await crashRounds(t, 'crash-durability postgres', db.url);
    } finally {
      await db.drop();
    }
  });
});
