/**
 * Graceful restart under load: SIGTERM while 50 connections are busy writing. Every request the
 * server accepted completes with a 2xx; a refused connection, or a reset on a request the server
 * never applied (a kept-alive connection it closed while idle), counts as "not accepted".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import { startServerProcess } from '../support/process.js';
import { createScratchDatabase, describeWithPostgres } from '../scale/postgres-admin.js';
import { listAllCars } from './support/car-listing.js';
import { resultLine } from './support/figures.js';
import { NoAnswer, inLanes, keepAliveAgent, send } from './support/http-load.js';
import { SERVER_ENV } from './support/mode.js';
import { fieldsFor } from './support/write-ledger.js';

const CONNECTIONS = 50;
const SHUTDOWN_TIMEOUT_MS = 10_000;
// Load runs this long before the SIGTERM, at a random point in the range.
const SIGTERM_AFTER_MS = [500, 1_500] as const;
const LANE_DEADLINE_MS = 20_000;

interface Lane {
  /** The last token the server acknowledged for this lane's car. */
  acknowledged: string;
  /** Writes that got no answer after the SIGTERM: the server must not have applied them. */
  unanswered: { token: string; code: string }[];
}

async function sigtermUnderLoad(t: TestContext, scenario: string, databaseUrl: string): Promise<void> {
  const env = { ...SERVER_ENV, DATABASE_URL: databaseUrl, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) };
  const server = await startServerProcess({ env });
  const agent = keepAliveAgent(CONNECTIONS);
  const lanes: Lane[] = [];
  const failures: string[] = [];
  const counts = { before: 0, after: 0, refused: 0 };
  let sigtermAt = 0;
  let exitedAt = 0;
  let exit: Awaited<typeof server.exited> | undefined;

  try {
    // One car per lane, so each lane alone decides what its car must hold.
    for (let lane = 0; lane < CONNECTIONS; lane++) {
      const token = `g${lane}.seed`;
      const reply = await send(agent, server.url, 'PUT', `/cars/${lane + 1}`, { json: fieldsFor(token) });
      assert.equal(reply.status, 201, reply.text);
      lanes.push({ acknowledged: token, unanswered: [] });
    }
    const delay = SIGTERM_AFTER_MS[0] + Math.random() * (SIGTERM_AFTER_MS[1] - SIGTERM_AFTER_MS[0]);
    const terminate = sleep(delay).then(() => {
      sigtermAt = performance.now();
      return server.stop(SHUTDOWN_TIMEOUT_MS + 5_000).then((e) => {
        exit = e;
        exitedAt = performance.now();
      });
    });

    const started = performance.now();
    await inLanes(CONNECTIONS, async (index) => {
      const lane = lanes[index]!;
      for (let n = 0; performance.now() - started < LANE_DEADLINE_MS; n++) {
        const token = `g${index}.${n}`;
        const sentAfterSigterm = sigtermAt > 0;
        try {
          const reply = await send(agent, server.url, 'PUT', `/cars/${index + 1}`, { json: fieldsFor(token), timeoutMs: 15_000 });
          if (reply.status !== 200) {
            failures.push(`PUT answered ${reply.status} ${reply.text.slice(0, 200)}`);
            continue;
          }
          lane.acknowledged = token;
          if (sentAfterSigterm) counts.after++;
          else counts.before++;
        } catch (err) {
          if (!(err instanceof NoAnswer) || sigtermAt === 0) {
            failures.push(`before SIGTERM: ${String(err)}`);
            continue;
          }
          if (err.code === 'ECONNREFUSED') {
            counts.refused++;
            return; // the listener is closed: this lane is done
          }
          // Checked against the store below: a reset is only fine if the server never applied the write.
          lane.unanswered.push({ token, code: err.code });
        }
      }
      failures.push(`lane ${index} was never refused within ${LANE_DEADLINE_MS} ms`);
    });
    await terminate;
  } finally {
    agent.destroy();
    await server.stop().catch(() => server.kill());
  }

  // Read every car back through a fresh server on the same store.
  const reader = await startServerProcess({ env });
  let cars;
  try {
    cars = new Map((await listAllCars(reader.url)).map((car) => [car.id, car]));
  } finally {
    await reader.stop();
  }
  let resetNotApplied = 0;
  let resetApplied = 0;
  for (const [index, lane] of lanes.entries()) {
    const car = cars.get(index + 1);
    const applied = lane.unanswered.find((u) => car?.model === fieldsFor(u.token).model);
    if (applied) {
      resetApplied++;
      failures.push(`lane ${index}: the server applied ${applied.token} but the client saw ${applied.code}`);
    } else if (car?.model !== fieldsFor(lane.acknowledged).model || car.color !== fieldsFor(lane.acknowledged).color) {
      failures.push(`lane ${index}: car ${index + 1} is ${JSON.stringify(car)}, not the acknowledged ${lane.acknowledged}`);
    } else {
      resetNotApplied += lane.unanswered.length;
    }
  }

  const drainMs = exitedAt - sigtermAt;
  resultLine(scenario, {
    connections: CONNECTIONS,
    completedBeforeSigterm: counts.before,
    completedAfterSigterm: counts.after,
    notAcceptedRefused: counts.refused,
    notAcceptedResetIdle: resetNotApplied,
    acceptedButReset: resetApplied,
    failedRequests: failures.length,
    exitCode: String(exit?.code),
    drainMs: Math.round(drainMs),
  });
  for (const failure of failures.slice(0, 5)) t.diagnostic(failure);
  assert.deepEqual(exit, { code: 0, signal: null }, `exit 0 after SIGTERM\n${server.output().slice(-2000)}`);
  assert.ok(drainMs < SHUTDOWN_TIMEOUT_MS, `drained in ${drainMs} ms, under the ${SHUTDOWN_TIMEOUT_MS} ms shutdown timeout`);
  assert.deepEqual(failures.slice(0, 10), [], 'every accepted request completed with a 2xx');
}

describe('graceful restart: SIGTERM while 50 connections are busy', () => {
  it('completes every accepted request on SQLite and exits 0', { timeout: 60_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cars-sigterm-'));
    try {
      await sigtermUnderLoad(t, 'graceful-restart sqlite', `sqlite:${join(dir, 'cars.db')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithPostgres('graceful restart on PostgreSQL', (adminUrl) => {
  it('completes every accepted request on PostgreSQL and exits 0', { timeout: 60_000 }, async (t) => {
    const db = await createScratchDatabase(adminUrl, 'cars_sigterm');
    try {
      await sigtermUnderLoad(t, 'graceful-restart postgres', db.url);
    } finally {
      await db.drop();
    }
  });
});
