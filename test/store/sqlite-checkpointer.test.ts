/** WAL checkpoints on a worker thread: who checkpoints when, a bounded WAL, and what a dead worker leaves. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { StoredCar } from '../../src/store/car-store.js';
import type { MigratedStore } from '../../src/store/migration.js';
import type { CheckpointWorkerReport } from '../../src/store/sqlite-checkpoint-worker.js';
import { createCheckpointer, type Checkpointer, type CheckpointerOptions } from '../../src/store/sqlite-checkpointer.js';
import { SQLITE_PAGE_SIZE, openSqliteStore } from '../../src/store/sqlite-store.js';

// Every wait below is bounded, so a broken worker fails the test instead of hanging it.
const WAIT_MS = 5_000;
const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/** Resolves when `worker` posts `report`; rejects after WAIT_MS. */
function reported(worker: Worker, report: CheckpointWorkerReport): Promise<void> {
  return bounded(new Promise((done) => worker.on('message', (m) => m === report && done(undefined))), `the worker to report ${report}`);
}

/** Resolves when `worker` has exited; rejects after WAIT_MS. */
function exited(worker: Worker): Promise<void> {
  return bounded(new Promise((done) => worker.once('exit', () => done(undefined))), 'the worker to exit');
}

async function bounded(promise: Promise<unknown>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS)));
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The most frames the WAL of `filename` has held since the file was made: its size only grows below journal_size_limit. */
function walHighWater(filename: string): number {
  const wal = `${filename}-wal`;
  if (!existsSync(wal)) return 0;
  return Math.max(0, Math.round((statSync(wal).size - WAL_HEADER_BYTES) / (SQLITE_PAGE_SIZE + FRAME_HEADER_BYTES)));
}

/** Collects the workers a store or checkpointer starts. */
function workerLog(): { options: CheckpointerOptions; workers: Worker[] } {
  const workers: Worker[] = [];
  return { options: { onWorker: (worker) => workers.push(worker) }, workers };
}

/** Tells `checkpointer` of a write and returns the worker that started. */
function startedBy(checkpointer: Checkpointer, workers: Worker[]): Worker {
  checkpointer.wrote();
  const worker = workers.at(-1);
  assert.ok(worker, 'a worker started');
  return worker;
}

describe('SQLite checkpointer', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cars-checkpointer-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A writer's connection to a fresh WAL file, as the store opens it. */
  const writer = (name: string) => {
    const db = new Database(join(dir, name));
    db.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare<[number, string]>('INSERT OR REPLACE INTO t (id, v) VALUES (?, ?)');
    const batch = db.transaction((from: number) => {
      for (let i = 0; i < 100; i++) insert.run((from + i * 37) % 5_000, `value ${from}`);
    });
    const autocheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true });
    return { db, batch, autocheckpoint };
  };

  it('starts no worker until the first write, then stops the writer checkpointing itself until stop()', async () => {
    const { db, autocheckpoint } = writer('ready.db');
    const { options, workers } = workerLog();
    const checkpointer = createCheckpointer(db, db.name, options);
    try {
      await sleep(50);
      assert.equal(workers.length, 0);
      assert.equal(autocheckpoint(), 1000);
      const worker = startedBy(checkpointer, workers);
      await reported(worker, 'ready');
      assert.equal(autocheckpoint(), 0);
      checkpointer.wrote();
      assert.equal(workers.length, 1, 'one worker for every write');
      const gone = exited(worker);
      await checkpointer.stop();
      await gone;
      assert.equal(autocheckpoint(), 1000);
      checkpointer.wrote();
      assert.equal(workers.length, 1, 'none after stop()');
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('hands checkpoints back to the writer when the worker is terminated, and starts no other', async () => {
    const { db, autocheckpoint } = writer('terminated.db');
    const { options, workers } = workerLog();
    const checkpointer = createCheckpointer(db, db.name, options);
    try {
      const worker = startedBy(checkpointer, workers);
      await reported(worker, 'ready');
      assert.equal(autocheckpoint(), 0);
      const gone = exited(worker);
      await worker.terminate();
      await gone;
      assert.equal(autocheckpoint(), 1000);
      checkpointer.wrote();
      assert.equal(workers.length, 1);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('leaves the writer checkpointing itself, with no uncaught error, when the worker cannot open the file', async () => {
    const { db, autocheckpoint } = writer('cannot-open.db');
    const { options, workers } = workerLog();
    // No 'error' listener here: one on the test's side would hide a missing one in the checkpointer.
    const checkpointer = createCheckpointer(db, join(dir, 'missing', 'cars.db'), options);
    try {
      const worker = startedBy(checkpointer, workers);
      await exited(worker);
      assert.equal(autocheckpoint(), 1000);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('hands checkpoints back while a reader keeps RESTART out and the WAL passes fallbackFrames, and takes them again after', async () => {
    const { db, batch, autocheckpoint } = writer('fallback.db');
    // RESTART holds the write lock while it waits for the reader; this writer waits it out.
    db.pragma('busy_timeout = 2000');
    const { options, workers } = workerLog();
    const checkpointer = createCheckpointer(db, db.name, { ...options, intervalMs: 10, restartFrames: 100, fallbackFrames: 300, busyTimeoutMs: 5 });
    const reader = new Database(db.name);
    try {
      const worker = startedBy(checkpointer, workers);
      await reported(worker, 'ready');
      // An open read transaction pins its snapshot, so no checkpoint can copy past it or restart the WAL.
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM t').get();
      const fellBack = reported(worker, 'fallback');
      // Each write tells the checkpointer, as the store's do: a worker that has gone idle needs the wake.
      for (let from = 0; walHighWater(db.name) < 600; from += 100) {
        checkpointer.wrote();
        batch(from);
      }
      await fellBack;
      assert.equal(autocheckpoint(), 1000);

      reader.exec('COMMIT');
      const back = reported(worker, 'ready');
      // The WAL starts over at a write once everything is copied back.
      for (let from = 0; from < 25_000 && autocheckpoint() !== 0; from += 100) {
        checkpointer.wrote();
        batch(from);
        await Promise.race([back, sleep(20)]);
      }
      await back;
      assert.equal(autocheckpoint(), 0);
    } finally {
      reader.close();
      await checkpointer.stop();
      db.close();
    }
  });
});

describe('SQLite store with its checkpoint worker', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cars-store-checkpoints-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const IDS = 5_000;
  const BATCH = 50;
  /**
   * `count` batches of BATCH concurrent PUTs (one transaction each), spread over IDS cars, with
   * `gapMs` of other work between them; each car as stored last goes into `kept`.
   */
  const putBatches = async (store: MigratedStore, count: number, gapMs = 0, kept = new Map<number, StoredCar>()) => {
    for (let b = 0; b < count; b++) {
      const puts = Array.from({ length: BATCH }, (_, i) => {
        const id = 1 + (((b * BATCH + i) * 7_919) % IDS);
        return store.put({ id, model: `Model ${b}`, color: `Color ${i}` });
      });
      for (const outcome of await Promise.all(puts)) {
        assert.ok(outcome.status === 'created' || outcome.status === 'replaced');
        kept.set(outcome.car.id, outcome.car);
      }
      if (gapMs > 0) await sleep(gapMs);
    }
  };

  it('starts its worker at the first car write, not before, and none for a store in memory', async () => {
    const { options, workers } = workerLog();
    const store = openSqliteStore({ filename: join(dir, 'lazy.db'), checkpointer: options });
    const memory = openSqliteStore({ filename: ':memory:', checkpointer: options });
    try {
      await store.ping();
      assert.equal(await store.get(1), undefined);
      assert.deepEqual((await store.list({ limit: 10, sort: [] })).cars, []);
      await memory.put({ id: 1, model: 'Honda', color: 'White' });
      await sleep(50);
      assert.equal(workers.length, 0);
      await store.put({ id: 1, model: 'Honda', color: 'White' });
      await store.put({ id: 2, model: 'Honda', color: 'White' });
      assert.equal(workers.length, 1);
    } finally {
      await memory.close();
      await store.close();
    }
  });

  it('keeps the WAL bounded under sustained writes, with every write succeeding', { timeout: 30_000 }, async () => {
    const filename = join(dir, 'bounded.db');
    // RESTART alone bounds it here: no fallback to the writer's own checkpoints.
    const store = openSqliteStore({ filename, checkpointer: { restartFrames: 500, fallbackFrames: Infinity } });
    try {
      await putBatches(store, IDS / BATCH);
      // 400 batches of 50 updates write about 27,000 frames: without RESTART the WAL keeps all of
      // them (measured), since the passes never catch up while writes go on. With it, the WAL
      // holds restartFrames plus what arrives within a pass or two (about 4,000 measured).
      await putBatches(store, 400, 1);
      const frames = walHighWater(filename);
      assert.ok(frames < 12_000, `the WAL reached ${frames} frames`);
    } finally {
      await store.close();
    }
  });

  it('keeps writing, and the writer checkpoints itself again, after its worker dies', { timeout: 30_000 }, async () => {
    const filename = join(dir, 'worker-dies.db');
    const { options, workers } = workerLog();
    const store = openSqliteStore({ filename, checkpointer: options });
    try {
      await store.put({ id: 1, model: 'Honda', color: 'White' });
      const [worker] = workers;
      assert.ok(worker);
      await reported(worker, 'ready');
      const gone = exited(worker);
      await worker.terminate();
      await gone;
      // About 20,000 frames of writes: with nothing checkpointing, the WAL would hold them all;
      // the writer's own checkpoint every 1,000 pages keeps it near 1,000.
      await putBatches(store, 300);
      const frames = walHighWater(filename);
      assert.ok(frames < 3_000, `the WAL reached ${frames} frames`);
      assert.equal(workers.length, 1, 'a dead worker is not replaced');
    } finally {
      await store.close();
    }
  });

  it('ends its worker on close(), as the last connection, leaving a file that reads back every car', { timeout: 30_000 }, async () => {
    const filename = join(dir, 'closed.db');
    const { options, workers } = workerLog();
    const store = openSqliteStore({ filename, checkpointer: options });
    const expected = new Map<number, StoredCar>();
    let running = false;
    try {
      await putBatches(store, 150, 0, expected);
      const [worker] = workers;
      assert.ok(worker);
      running = true;
      worker.once('exit', () => (running = false));
    } finally {
      await store.close();
    }
    assert.equal(running, false, 'the worker has exited when close() resolves');
    // SQLite deletes the WAL only when the last connection closes, after copying it all back.
    assert.equal(existsSync(`${filename}-wal`), false);
    const db = new Database(filename, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const rows = db.prepare<[], StoredCar>('SELECT id, model, color, revision FROM cars').all();
      assert.equal(rows.length, expected.size);
      for (const row of rows) assert.deepEqual(row, expected.get(row.id));
    } finally {
      db.close();
    }
  });
});
