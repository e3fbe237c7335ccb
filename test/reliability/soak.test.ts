/**
 * Soak: a long run of mixed requests (reads, listings, creates, replacements, merge patches,
 * deletes, health checks) over 20 connections. No request may fail, and the server's RSS may not
 * keep growing after warm-up. Short mode: 20,000 requests, RSS growth reported; RELIABILITY_LONG=1:
 * 1,000,000 requests (or what fits in the time cap), RSS growth under 10% asserted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Agent } from 'node:http';
import { startServerProcess } from '../support/process.js';
import { Latencies, mb, ms, resultLine, rssKb } from './support/figures.js';
import { NoAnswer, inLanes, keepAliveAgent, send, type Reply } from './support/http-load.js';
import { LONG, SERVER_ENV, sized } from './support/mode.js';

const REQUESTS = sized(20_000, 1_000_000);
const CONNECTIONS = 20;
// Memory is compared from here on: after the JIT, the caches and the heap have settled.
const WARM_UP = Math.max(5_000, Math.floor(REQUESTS * 0.1));
// The run stops here even if REQUESTS are not done; the result line says how many were.
const TIME_CAP_MS = sized(120_000, 15 * 60_000);
const RSS_GROWTH_LIMIT = 0.1;
const RSS_SAMPLE_MS = 1_000;
const RSS_WINDOW = 10;
const OWNED_MIN = 5;
const OWNED_MAX = 50;

/** One lane's cars: it alone reads and writes them, so every answer is known in advance. */
interface LaneState {
  ids: number[];
  n: number;
}

/** The median of some kB readings; undefined when there are none. */
function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const pick = (ids: readonly number[]) => ids[Math.floor(Math.random() * ids.length)]!;

/** Sends one request of the mix and checks its status; returns a description of what went wrong, if anything. */
async function mixedRequest(agent: Agent, url: string, lane: number, state: LaneState, latencies: Latencies): Promise<string | undefined> {
  const n = state.n++;
  const r = Math.random();
  const fields = { model: `Soak ${lane}.${n}`, color: n % 2 === 0 ? 'Blue' : 'Black' };
  let expected: number;
  let reply: Reply;
  let created = false;
  let deleted: number | undefined;
  if (state.ids.length < OWNED_MIN || (r >= 0.7 && r < 0.82 && state.ids.length < OWNED_MAX)) {
    expected = 201;
    created = true;
    reply = await send(agent, url, 'POST', '/cars', { json: fields });
  } else if (r < 0.35) {
    expected = 200;
    reply = await send(agent, url, 'GET', `/cars/${pick(state.ids)}`);
  } else if (r < 0.45) {
    expected = 200;
    reply = await send(agent, url, 'GET', n % 2 === 0 ? '/cars?limit=20' : `/cars?limit=20&model=${encodeURIComponent(fields.model)}`);
  } else if (r < 0.6) {
    expected = 200;
    reply = await send(agent, url, 'PUT', `/cars/${pick(state.ids)}`, { json: fields });
  } else if (r < 0.7) {
    expected = 200;
    reply = await send(agent, url, 'PATCH', `/cars/${pick(state.ids)}`, {
      body: JSON.stringify({ color: fields.color }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
  } else if (r < 0.92) {
    expected = 204;
    deleted = pick(state.ids);
    reply = await send(agent, url, 'DELETE', `/cars/${deleted}`);
  } else {
    expected = 200;
    reply = await send(agent, url, 'GET', r < 0.96 ? '/healthz' : '/readyz');
  }
  latencies.add(reply.ms);
  if (reply.status !== expected) return `expected ${expected}, got ${reply.status} ${reply.text.slice(0, 200)}`;
  if (created) state.ids.push((JSON.parse(reply.text) as { id: number }).id);
  if (deleted !== undefined) state.ids.splice(state.ids.indexOf(deleted), 1);
  return undefined;
}

describe('soak: mixed requests over 20 connections', () => {
  it(`answers ${REQUESTS.toLocaleString('en')} mixed requests without an error and without growing`, { timeout: TIME_CAP_MS + 60_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cars-soak-'));
    const server = await startServerProcess({ env: { ...SERVER_ENV, DATABASE_URL: `sqlite:${join(dir, 'cars.db')}` } });
    const agent = keepAliveAgent(CONNECTIONS);
    try {
      const latencies = new Latencies();
      const failures: string[] = [];
      let failed = 0;
      let started = 0;
      // RSS moves with every GC cycle, so one reading is noise: compare the median of the first
      // RSS_WINDOW samples after warm-up with the median of the last RSS_WINDOW (one per second).
      const samples: number[] = [];
      let warm = false;
      const begin = performance.now();
      let warmAt = begin;
      const sample = () => {
        const kb = rssKb(server.pid);
        if (kb !== undefined) samples.push(kb);
      };
      const sampler = setInterval(() => {
        if (warm) sample();
      }, RSS_SAMPLE_MS);
      try {
        await inLanes(CONNECTIONS, async (lane) => {
          const state: LaneState = { ids: [], n: 0 };
          while (started < REQUESTS && performance.now() - begin < TIME_CAP_MS) {
            started++;
            if (started === WARM_UP) {
              warm = true;
              warmAt = performance.now();
              sample();
            }
            let problem: string | undefined;
            try {
              problem = await mixedRequest(agent, server.url, lane, state, latencies);
            } catch (err) {
              problem = err instanceof NoAnswer ? `${err.message} (${err.code})` : String(err);
            }
            if (problem !== undefined) {
              failed++;
              if (failures.length < 10) failures.push(problem);
            }
          }
        });
      } finally {
        clearInterval(sampler);
      }
      const elapsed = performance.now() - begin;
      sample();
      const window = Math.max(1, Math.min(RSS_WINDOW, Math.floor(samples.length / 2)));
      const rssWarm = median(samples.slice(0, window));
      const rssEnd = median(samples.slice(-window));
      const rssPeak = samples.length > 0 ? Math.max(...samples) : undefined;
      const growth = rssWarm !== undefined && rssEnd !== undefined ? (rssEnd - rssWarm) / rssWarm : undefined;
      resultLine(`soak sqlite${LONG ? ' long' : ''}`, {
        requests: latencies.count,
        planned: REQUESTS,
        connections: CONNECTIONS,
        seconds: (elapsed / 1000).toFixed(1),
        rps: Math.round(latencies.count / (elapsed / 1000)),
        failedRequests: failed,
        p50: ms(latencies.quantile(0.5)),
        p99: ms(latencies.quantile(0.99)),
        max: ms(latencies.quantile(1)),
        rssAfterWarmUp: mb(rssWarm),
        rssSamples: samples.length,
        rssPeak: mb(rssPeak),
        rssEnd: mb(rssEnd),
        rssGrowth: growth === undefined ? 'n/a' : `${(growth * 100).toFixed(1)}%`,
        warmUpRequests: WARM_UP,
        afterWarmUpSeconds: ((performance.now() - warmAt) / 1000).toFixed(1),
      });
      const step = Math.max(1, Math.ceil(samples.length / 12));
      t.diagnostic(`RSS after warm-up, every ${step} s: ${samples.filter((_, i) => i % step === 0).map((kb) => (kb / 1024).toFixed(0)).join(' ')} MB`);
      for (const failure of failures.slice(0, 5)) t.diagnostic(failure);

      assert.ok(server.isRunning(), 'the server is still up');
      assert.equal(failed, 0, 'no request failed');
      if (latencies.count < REQUESTS) t.diagnostic(`stopped at the ${TIME_CAP_MS / 1000} s cap after ${latencies.count} requests`);
      if (LONG && growth !== undefined) {
        assert.ok(growth < RSS_GROWTH_LIMIT, `RSS grew ${(growth * 100).toFixed(1)}% after warm-up (limit ${RSS_GROWTH_LIMIT * 100}%)`);
      }
    } finally {
      agent.destroy();
      await server.stop().catch(() => server.kill());
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
