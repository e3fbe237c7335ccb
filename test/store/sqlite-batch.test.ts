/** Batching for SQLite: calls in one turn share a transaction, yet fail alone. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createBatch } from '../../src/store/sqlite-batch.js';
import { isSqliteBusy } from '../../src/store/sqlite-faults.js';

/** A `run` that tries again, at most `tries` times, while the work answers busy; it counts its calls. */
function retryingRun(tries: number) {
  const run = async <T>(work: () => T): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      run.calls++;
      try {
        return work();
      } catch (err) {
        if (!isSqliteBusy(err) || attempt >= tries) throw err;
      }
    }
  };
  run.calls = 0;
  return run;
}

const untranslated = (err: unknown) => err;

describe('SQLite batches', () => {
  let dir: string;
  let db: Database.Database;
  let other: Database.Database;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cars-batch-'));
    db = new Database(join(dir, 'batch.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (n INTEGER)');
    other = new Database(join(dir, 'batch.db'));
  });
  after(() => {
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const count = () => (db.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c;

  it('gives the reads of one turn one snapshot, and a later read the newer data', async () => {
    const read = createBatch(db, retryingRun(1), untranslated, 'deferred');
    const before = count();
    // The first read starts the snapshot; another connection then commits a row.
    const first = read(() => {
      const seen = count();
      other.prepare('INSERT INTO t VALUES (1)').run();
      return seen;
    });
    const second = read(count);
    assert.deepEqual(await Promise.all([first, second]), [before, before]);
    assert.equal(await read(count), before + 1);
  });

  it('commits the writes of one turn together, and rejects a failing one alone', async () => {
    const run = retryingRun(1);
    const write = createBatch(db, run, untranslated, 'immediate');
    const insert = db.transaction((n: number) => db.prepare('INSERT INTO t VALUES (?)').run(n).changes);
    const failing = db.transaction(() => {
      db.prepare('INSERT INTO t VALUES (99)').run();
      throw new Error('refused');
    });
    const start = count();
    const outcomes = await Promise.allSettled([write(() => insert(1)), write(failing), write(() => insert(2))]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(run.calls, 1, 'one transaction for the three writes');
    assert.equal(count(), start + 2, 'the failing write rolled back alone');
  });

  it('hands a busy answer to `run`, which tries the whole batch again', async () => {
    const run = retryingRun(3);
    const read = createBatch(db, run, untranslated, 'deferred');
    let busyLeft = 1;
    const flaky = () => {
      if (busyLeft-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return 'read';
    };
    assert.deepEqual(await Promise.all([read(count), read(flaky)]), [count(), 'read']);
    assert.equal(run.calls, 2);
  });

  it('serves more calls than one batch carries', async () => {
    const run = retryingRun(1);
    const read = createBatch(db, run, untranslated, 'deferred');
    const answers = await Promise.all(Array.from({ length: 600 }, (_, i) => read(() => i)));
    assert.deepEqual(answers, Array.from({ length: 600 }, (_, i) => i));
    assert.equal(run.calls, 3, '600 calls in batches of at most 256');
  });
});
