/** Load during a store fault: every answer must be a 2xx or a 503 with Retry-After, within a time bound. */
import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { NoAnswer, inLanes, send, type Reply } from './http-load.js';

/** What the requests sent during a fault got back. */
export interface FaultOutcomes {
  total: number;
  ok: number;
  unavailable: number;
  /** 503s without a whole-seconds Retry-After. */
  missingRetryAfter: number;
  /** Anything else: other statuses, resets, timeouts. */
  bad: string[];
  /** The slowest answer, in ms. */
  maxMs: number;
}

/** The ids the fault load reads and writes; they must exist before the fault. */
export const FAULT_LOAD_IDS = 20;

/** One request of the fault mix: reads, replacements and creates. */
function faultRequest(agent: Agent, url: string, n: number, timeoutMs: number): Promise<Reply> {
  const id = 1 + (n % FAULT_LOAD_IDS);
  switch (n % 3) {
    case 0:
      return send(agent, url, 'GET', `/cars/${id}`, { timeoutMs });
    case 1:
      return send(agent, url, 'PUT', `/cars/${id}`, { json: { model: `Fault ${n}`, color: 'Red' }, timeoutMs });
    default:
      return send(agent, url, 'POST', '/cars', { json: { model: `Fault ${n}`, color: 'Red' }, timeoutMs });
  }
}

/** Sends the fault mix over `lanes` connections for `durationMs` (each request bounded by `timeoutMs`). */
export async function loadDuringFault(agent: Agent, url: string, lanes: number, durationMs: number, timeoutMs: number): Promise<FaultOutcomes> {
  const outcomes: FaultOutcomes = { total: 0, ok: 0, unavailable: 0, missingRetryAfter: 0, bad: [], maxMs: 0 };
  const started = performance.now();
  let n = 0;
  await inLanes(lanes, async () => {
    while (performance.now() - started < durationMs) {
      outcomes.total++;
      try {
        const reply = await faultRequest(agent, url, n++, timeoutMs);
        outcomes.maxMs = Math.max(outcomes.maxMs, reply.ms);
        if (reply.status >= 200 && reply.status < 300) outcomes.ok++;
        else if (reply.status === 503) {
          outcomes.unavailable++;
          if (reply.headers['content-type'] !== 'application/problem+json') outcomes.bad.push(`503 as ${reply.headers['content-type']}`);
          if (!/^\d+$/.test(String(reply.headers['retry-after'] ?? ''))) outcomes.missingRetryAfter++;
          await sleep(50); // a client honouring Retry-After would wait; don't spin
        } else outcomes.bad.push(`${reply.status} ${reply.text.slice(0, 300)}`);
      } catch (err) {
        if (err instanceof NoAnswer) outcomes.maxMs = Math.max(outcomes.maxMs, err.ms);
        outcomes.bad.push(String(err));
        if (err instanceof NoAnswer && err.code === 'ECONNREFUSED') return; // the server is gone
      }
    }
  });
  return outcomes;
}

/** Polls until `probe` is true or `deadlineMs` passes; resolves with the ms it took, or undefined. */
export async function timeUntil(probe: () => Promise<boolean>, deadlineMs: number): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < deadlineMs) {
    if (await probe().catch(() => false)) return performance.now() - started;
    await sleep(100);
  }
  return undefined;
}

/** "503=12/12 ok=0 bad=0 max=5012ms" for a result line. */
export const summarize = (o: FaultOutcomes) => `503:${o.unavailable}/${o.total},2xx:${o.ok},bad:${o.bad.length},maxMs:${Math.round(o.maxMs)}`;
