/**
 * SQLite store faults on a server process: another process holding the write lock, and the
 * database made unwritable (chattr +i, which binds root too, unlike chmod). Writes get 503 +
 * Retry-After within the busy timeout, reads go on, and the service resumes by itself.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { FAULT_LOAD_IDS, timeUntil } from './support/fault-load.js';
import { Latencies, ms, resultLine } from './support/figures.js';
import { NoAnswer, inLanes, keepAliveAgent, send } from './support/http-load.js';
import { SERVER_ENV } from './support/mode.js';
import { holdWriteLock } from './support/sqlite-locker.js';

// The store's busy timeout (src/store/sqlite-store.ts); main.ts keeps the default.
const BUSY_TIMEOUT_MS = 5_000;
const MARGIN_MS = 2_000;
// A read or health check may not wait on a writer's lock: the event loop must stay free.
const READ_BOUND_MS = 1_000;
const WRITER_LANES = 4;
const RECOVERY_DEADLINE_MS = 5_000;

/** What one fault window produced. */
interface Window {
  writes: Latencies;
  writeStatuses: Map<number, number>;
  missingRetryAfter: number;
  reads: Latencies;
  readyz: Set<number>;
  bad: string[];
}

/** Writers on WRITER_LANES connections and one reader (GET /cars/{id}, /readyz, /healthz), for `durationMs`. */
async function faultWindow(url: string, durationMs: number): Promise<Window> {
  const agent = keepAliveAgent(WRITER_LANES + 1);
  const w: Window = { writes: new Latencies(), writeStatuses: new Map(), missingRetryAfter: 0, reads: new Latencies(), readyz: new Set(), bad: [] };
  const started = performance.now();
  const timeoutMs = 4 * BUSY_TIMEOUT_MS;
  try {
    await inLanes(WRITER_LANES + 1, async (lane) => {
      for (let n = 0; performance.now() - started < durationMs; n++) {
        const id = 1 + ((lane * 7 + n) % FAULT_LOAD_IDS);
        try {
          if (lane < WRITER_LANES) {
            const reply = await send(agent, url, 'PUT', `/cars/${id}`, { json: { model: `Locked ${n}`, color: 'Red' }, timeoutMs });
            w.writes.add(reply.ms);
            w.writeStatuses.set(reply.status, (w.writeStatuses.get(reply.status) ?? 0) + 1);
            if (reply.status === 503 && !/^\d+$/.test(String(reply.headers['retry-after'] ?? ''))) w.missingRetryAfter++;
            if (reply.status !== 503) w.bad.push(`PUT answered ${reply.status} ${reply.text.slice(0, 200)}`);
            else if (reply.headers['content-type'] !== 'application/problem+json') w.bad.push(`503 as ${reply.headers['content-type']}`);
          } else {
            for (const path of [`/cars/${id}`, '/readyz', '/healthz']) {
              const reply = await send(agent, url, 'GET', path, { timeoutMs });
              w.reads.add(reply.ms);
              if (path === '/readyz') w.readyz.add(reply.status);
              else if (reply.status !== 200) w.bad.push(`GET ${path} answered ${reply.status}`);
            }
          }
        } catch (err) {
          w.bad.push(err instanceof NoAnswer ? `${err.message} (${err.code})` : String(err));
        }
      }
    });
  } finally {
    agent.destroy();
  }
  return w;
}

/** True once a write succeeds again. */
async function writable(url: string): Promise<boolean> {
  const agent = keepAliveAgent(1);
  try {
    const reply = await send(agent, url, 'PUT', '/cars/1', { json: { model: 'Back', color: 'Green' }, timeoutMs: 2 * BUSY_TIMEOUT_MS });
    return reply.status === 200;
  } finally {
    agent.destroy();
  }
}

/** Whether chattr +i works here (root with CAP_LINUX_IMMUTABLE, on a filesystem that supports it). */
function immutableWorks(dir: string): boolean {
  const probe = join(dir, 'chattr-probe');
  writeFileSync(probe, '');
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}

describe('SQLite store faults on a server process', () => {
  let dir = '';
  let file = '';
  let server: ServerProcess | undefined;
  const figures: Record<string, string | number> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cars-sqlite-faults-'));
    file = join(dir, 'cars.db');
    server = await startServerProcess({ env: { ...SERVER_ENV, DATABASE_URL: `sqlite:${file}` } });
    const agent = keepAliveAgent(1);
    for (let id = 1; id <= FAULT_LOAD_IDS; id++) {
      const reply = await send(agent, server.url, 'PUT', `/cars/${id}`, { json: { model: 'Seed', color: 'Grey' } });
      assert.equal(reply.status, 201, reply.text);
    }
    agent.destroy();
  });
  after(async () => {
    resultLine('store-faults sqlite', figures);
    await server?.stop().catch(() => server?.kill());
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers writes 503 within the busy timeout while another process holds the write lock, keeps serving reads, and resumes on release', { timeout: 120_000 }, async (t) => {
    const url = server!.url;
    const lock = await holdWriteLock(file);
    let w: Window;
    try {
      w = await faultWindow(url, BUSY_TIMEOUT_MS + 1_000);
    } finally {
      await lock.release();
    }
    const recoveryMs = await timeUntil(() => writable(url), RECOVERY_DEADLINE_MS);
    Object.assign(figures, {
      lockWrites503: `${w.writeStatuses.get(503) ?? 0}/${w.writes.count}`,
      lockWriteMax: ms(w.writes.quantile(1)),
      lockReads: w.reads.count,
      lockReadMax: ms(w.reads.quantile(1)),
      lockReadyz: [...w.readyz].join('|'),
      lockBad: w.bad.length,
      lockRecovery: recoveryMs === undefined ? 'none' : ms(recoveryMs),
    });
    for (const line of w.bad.slice(0, 5)) t.diagnostic(line);

    assert.ok(server!.isRunning(), 'the server is still up');
    assert.deepEqual(w.bad.slice(0, 10), [], 'writes answer 503, reads and health checks 200');
    assert.equal(w.missingRetryAfter, 0, 'every 503 carries Retry-After');
    assert.ok(w.writes.quantile(1) < BUSY_TIMEOUT_MS + MARGIN_MS, `every write answered within the busy timeout (slowest ${ms(w.writes.quantile(1))})`);
    assert.ok(w.reads.quantile(1) < READ_BOUND_MS, `reads never wait on the lock (slowest ${ms(w.reads.quantile(1))})`);
    // WAL readers don't need the write lock, so the store can still serve: ready.
    assert.deepEqual([...w.readyz], [200], 'GET /readyz stays 200 while reads work');
    assert.ok(recoveryMs !== undefined, `writes succeed again within ${RECOVERY_DEADLINE_MS} ms of the release`);
  });

  it('answers writes 503 at once while the database file is immutable, keeps serving reads, and resumes when it is writable', { timeout: 60_000 }, async (t) => {
    if (!immutableWorks(dir)) {
      figures.readonly = 'skipped';
      t.skip('chattr +i is not available here (needs root with CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs)');
      return;
    }
    const url = server!.url;
    // The database and its WAL, not the -shm index: SQLite maps that file, and a write through
    // the mapping to an immutable file is a SIGBUS, not an error (the process would just die).
    const files = [file, `${file}-wal`];
    execFileSync('chattr', ['+i', ...files]);
    let w: Window;
    try {
      w = await faultWindow(url, 2_000);
    } finally {
      execFileSync('chattr', ['-i', ...files]);
    }
    const recoveryMs = await timeUntil(() => writable(url), RECOVERY_DEADLINE_MS);
    Object.assign(figures, {
      readonlyWrites503: `${w.writeStatuses.get(503) ?? 0}/${w.writes.count}`,
      readonlyWriteMax: ms(w.writes.quantile(1)),
      readonlyReads: w.reads.count,
      readonlyReadyz: [...w.readyz].join('|'),
      readonlyBad: w.bad.length,
      readonlyRecovery: recoveryMs === undefined ? 'none' : ms(recoveryMs),
    });
    for (const line of w.bad.slice(0, 5)) t.diagnostic(line);

    assert.ok(server!.isRunning(), 'the server is still up');
    assert.deepEqual(w.bad.slice(0, 10), [], 'writes answer 503, reads and health checks 200');
    assert.equal(w.missingRetryAfter, 0, 'every 503 carries Retry-After');
    assert.ok(w.writes.quantile(1) < READ_BOUND_MS, `writes fail fast (slowest ${ms(w.writes.quantile(1))})`);
    assert.ok(recoveryMs !== undefined, `writes succeed again within ${RECOVERY_DEADLINE_MS} ms`);
  });
});
