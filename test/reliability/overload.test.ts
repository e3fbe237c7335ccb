/**
 * Overload: measure what this machine sustains closed-loop, then offer about 5x that open-loop
 * with a cap on requests in flight. The server must stay up with bounded memory, either shed
 * with 503 + Retry-After or answer everything within the request timeout, and recover at once.
 * The p99 is reported in the RESULT line, not asserted: it follows how much CPU the other test
 * files running beside this one leave, and speed targets belong to the bench.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Agent } from 'node:http';
import { startServerProcess } from '../support/process.js';
import { Latencies, mb, ms, resultLine, rssKb } from './support/figures.js';
import { NoAnswer, inLanes, keepAliveAgent, send, type Reply } from './support/http-load.js';
import { SERVER_ENV, sized } from './support/mode.js';

const CARS = 100;
const MEASURE_CONNECTIONS = 10;
const MEASURE_MS = 3_000;
const OVERLOAD_FACTOR = 5;
const OVERLOAD_MS = sized(5_000, 20_000);
const MAX_IN_FLIGHT = 500;
const TICK_MS = 5;
// A request not answered within this is a failure: the bound on queueing under overload.
const REQUEST_TIMEOUT_MS = 10_000;
const RECOVERY_REQUESTS = 20;
const RECOVERY_BOUND_MS = 1_000;
// Memory may grow while 500 requests are held, but not without bound.
const RSS_GROWTH_BOUND_KB = 256 * 1024;

/** One request of the mix: mostly reads by id, some replacements, some short listings; all answer 200. */
function mixed(agent: Agent, url: string, n: number): Promise<Reply> {
  const id = 1 + (n % CARS);
  const kind = n % 10;
  if (kind < 7) return send(agent, url, 'GET', `/cars/${id}`, { timeoutMs: REQUEST_TIMEOUT_MS });
  if (kind < 9) return send(agent, url, 'PUT', `/cars/${id}`, { json: { model: `Model ${n}`, color: 'Grey' }, timeoutMs: REQUEST_TIMEOUT_MS });
  return send(agent, url, 'GET', '/cars?limit=20', { timeoutMs: REQUEST_TIMEOUT_MS });
}

describe('overload: about 5x the sustainable rate, open-loop', () => {
  it('stays up with bounded memory, sheds or answers within the timeout, and recovers at once', { timeout: sized(90_000, 180_000) }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cars-overload-'));
    const server = await startServerProcess({ env: { ...SERVER_ENV, DATABASE_URL: `sqlite:${join(dir, 'cars.db')}` } });
    const agent = keepAliveAgent(MAX_IN_FLIGHT);
    try {
      for (let id = 1; id <= CARS; id++) {
        const reply = await send(agent, server.url, 'PUT', `/cars/${id}`, { json: { model: 'Model', color: 'Grey' } });
        assert.equal(reply.status, 201, reply.text);
      }

      // 1. Closed loop: what the server sustains on this machine (the first second warms the JIT up).
      let n = 0;
      const warmUntil = performance.now() + 1_000;
      await inLanes(MEASURE_CONNECTIONS, async () => {
        while (performance.now() < warmUntil) await mixed(agent, server.url, n++);
      });
      let measured = 0;
      const measureStart = performance.now();
      await inLanes(MEASURE_CONNECTIONS, async () => {
        while (performance.now() - measureStart < MEASURE_MS) {
          const reply = await mixed(agent, server.url, n++);
          assert.equal(reply.status, 200, reply.text);
          measured++;
        }
      });
      const sustainable = measured / ((performance.now() - measureStart) / 1000);
      const rssBefore = rssKb(server.pid);

      // 2. Open loop at OVERLOAD_FACTOR x: requests are due on a clock, whether or not earlier ones came back.
      const offeredRate = sustainable * OVERLOAD_FACTOR;
      const admitted = new Latencies();
      const statuses = new Map<number, number>();
      const failures: string[] = [];
      let due = 0;
      let sent = 0;
      let clientShed = 0;
      let inFlight = 0;
      let shed = 0;
      let shedWithoutRetryAfter = 0;
      let peakRss = rssBefore ?? 0;
      const pending = new Set<Promise<void>>();
      const loadStart = performance.now();
      while (performance.now() - loadStart < OVERLOAD_MS) {
        const target = Math.floor(((performance.now() - loadStart) / 1000) * offeredRate);
        for (; due < target; due++) {
          if (inFlight >= MAX_IN_FLIGHT) {
            clientShed++;
            continue;
          }
          inFlight++;
          sent++;
          const request = mixed(agent, server.url, n++)
            .then((reply) => {
              statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
              if (reply.status === 200) admitted.add(reply.ms);
              else if (reply.status === 503) {
                shed++;
                if (!/^\d+$/.test(String(reply.headers['retry-after'] ?? ''))) shedWithoutRetryAfter++;
                if (reply.headers['content-type'] !== 'application/problem+json') failures.push(`503 as ${reply.headers['content-type']}`);
              } else failures.push(`${reply.status} ${reply.text.slice(0, 200)}`);
            })
            .catch((err: unknown) => {
              failures.push(err instanceof NoAnswer ? `${err.code} after ${Math.round(err.ms)} ms` : String(err));
            })
            .finally(() => {
              inFlight--;
              pending.delete(request);
            });
          pending.add(request);
        }
        peakRss = Math.max(peakRss, rssKb(server.pid) ?? 0);
        await sleep(TICK_MS);
      }
      const loadMs = performance.now() - loadStart;
      await Promise.all(pending);
      const drainedMs = performance.now() - loadStart - loadMs;
      const rssAfter = rssKb(server.pid);

      // 3. Recovery: normal requests on a fresh connection, right after the load drops.
      const fresh = keepAliveAgent(1);
      const recovery = new Latencies();
      try {
        for (let i = 0; i < RECOVERY_REQUESTS; i++) {
          const reply = await send(fresh, server.url, 'GET', `/cars/${1 + i}`, { timeoutMs: 5_000 });
          assert.equal(reply.status, 200, `recovery request ${i}: ${reply.status} ${reply.text}`);
          recovery.add(reply.ms);
        }
      } finally {
        fresh.destroy();
      }

      const p99 = admitted.quantile(0.99);
      const outcome = shed > 0 ? 'shed-503' : 'all-answered';
      resultLine('overload sqlite', {
        sustainableRps: Math.round(sustainable),
        offeredRps: Math.round(offeredRate),
        sentRps: Math.round(sent / (loadMs / 1000)),
        seconds: (loadMs / 1000).toFixed(1),
        maxInFlight: MAX_IN_FLIGHT,
        clientSideShed: clientShed,
        admitted: admitted.count,
        admittedRps: Math.round(admitted.count / ((loadMs + drainedMs) / 1000)),
        shed503: shed,
        failedRequests: failures.length,
        p50: ms(admitted.quantile(0.5)),
        p99: ms(p99),
        max: ms(admitted.quantile(1)),
        rssBefore: mb(rssBefore),
        rssPeak: mb(peakRss),
        rssAfter: mb(rssAfter),
        recoveryMax: ms(recovery.quantile(1)),
        outcome,
      });
      for (const failure of failures.slice(0, 5)) t.diagnostic(failure);

      assert.ok(server.isRunning(), 'the server is still up');
      // Shedding (503 + Retry-After) or answering within REQUEST_TIMEOUT_MS: a late answer is a failure here.
      assert.deepEqual(failures.slice(0, 10), [], 'every request got 200 or 503: no errors, resets or timeouts');
      assert.equal(shedWithoutRetryAfter, 0, 'every 503 carries Retry-After');
      assert.ok(admitted.count > 0, 'some requests were admitted');
      if (rssBefore !== undefined && rssAfter !== undefined) {
        assert.ok(peakRss - rssBefore < RSS_GROWTH_BOUND_KB, `RSS grew from ${mb(rssBefore)} to a peak of ${mb(peakRss)}`);
      }
      assert.ok(recovery.quantile(1) < RECOVERY_BOUND_MS, `recovery requests answered within ${RECOVERY_BOUND_MS} ms`);
    } finally {
      agent.destroy();
      await server.stop().catch(() => server.kill());
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
