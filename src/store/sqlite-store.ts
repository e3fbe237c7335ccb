/** The embedded default: a CarStore on SQLite through better-sqlite3, in WAL mode. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Car } from '../types.js';
import { API_KEY_COLUMNS, scopesColumn, toApiKeyRecord, type ApiKeyRow } from './api-key-row.js';
import type { ApiKeyRecord } from './api-key-store.js';
import {
  MAX_CAR_ID,
  checkCondition,
  type CarChanges,
  type DeleteOutcome,
  type IdempotencyClaim,
  type InsertOutcome,
  type ListPage,
  type ListQuery,
  type NewCar,
  type PutOutcome,
  type StoredCar,
  type UpdateOutcome,
  type WriteCondition,
} from './car-store.js';
import { caseKey } from './case-key.js';
import { firstAnswerOf, replayOf, type FirstAnswer } from './idempotency-record.js';
import { planList, type ListDialect } from './list-sql.js';
import type { AppliedMigration, MigratedStore, Migration } from './migration.js';
import { isSqliteBusy, translateSqliteError } from './sqlite-faults.js';
import { createBatch } from './sqlite-batch.js';
import { createCheckpointer, type Checkpointer, type CheckpointerOptions } from './sqlite-checkpointer.js';
import { sqliteMigrations } from './sqlite-migrations.js';

/** Options for the SQLite store. */
export interface SqliteStoreOptions {
  /** A file path, or `:memory:` for a fresh private store. */
  filename: string;
  /** How long a writer waits for another connection's lock before giving up, in ms. */
  busyTimeoutMs?: number;
  /** The checkpoint worker's policy and test hook (file stores only; see sqlite-checkpointer.ts). */
  checkpointer?: CheckpointerOptions;
}

const dialect: ListDialect = {
  param: () => '?',
  contains: (column, needle) => `instr(${column}, ${needle}) > 0`,
};

/**
 * The page size of a new store. With synchronous=NORMAL the WAL is written without fsync, so the
 * checkpoint pays for every byte written since the last one, and a random write rewrites a whole
 * page. Measured under `npm run bench` when the writer still checkpointed itself every 1,000
 * pages: with 4 KiB pages a checkpoint stalled a PUT batch for 4.3 ms on average, with 2 KiB pages
 * for 2.8 ms, and GET by id did not change. Rows are ~40 bytes, so a 2 KiB page still holds about 50 of them.
 */
export const SQLITE_PAGE_SIZE = 2048;

// Expired idempotency keys removed per keyed insert: enough to keep up, cheap enough to ignore.
const PURGE_BATCH = 16;
// The longest pause between two tries for a lock another connection holds.
const BUSY_RETRY_MAX_DELAY_MS = 25;

type Statement<P extends unknown[], R> = Database.Statement<P, R>;
interface ListStatements {
  page: Statement<(string | number)[], StoredCar>;
  count: Statement<(string | number)[], { total: number }>;
}

/** Opens (creating when needed) the database, migrates it and returns the store. */
export function openSqliteStore({ filename, busyTimeoutMs = 5000, checkpointer }: SqliteStoreOptions): MigratedStore {
  let db: Database.Database | undefined;
  try {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    db = new Database(filename);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    // Takes effect only on a new file; an existing store keeps the page size it was made with.
    db.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
    // WAL lets readers run beside the writer, and with synchronous=NORMAL a commit survives a
    // process crash (kill -9); only an OS crash or power loss can drop the last commits.
    const journalMode = db.pragma('journal_mode = WAL', { simple: true });
    db.pragma('synchronous = NORMAL');
    migrate(db, sqliteMigrations);
    // better-sqlite3 is synchronous, so SQLite's busy handler sleeps on the event loop: one write
    // waiting out another process's lock froze every request (reads, /healthz) for the whole busy
    // timeout, and n queued writes for n times it. From here on SQLite answers SQLITE_BUSY at once
    // and `run` waits between turns of the event loop instead, up to the same timeout.
    db.pragma('busy_timeout = 0');
    // After the WAL starts over, the next commit truncates a larger file to this size.
    db.pragma('journal_size_limit = 67108864');
    // A file in WAL mode is checkpointed by a worker thread once the first write starts it (see
    // sqlite-checkpointer.ts); until then, and in memory, the writer checkpoints itself.
    const checkpoints = journalMode === 'wal' && !db.memory ? createCheckpointer(db, filename, checkpointer) : undefined;
    return createStore(db, Math.max(0, busyTimeoutMs), checkpoints);
  } catch (err) {
    db?.close();
    throw translateSqliteError(err);
  }
}

function createStore(db: Database.Database, busyTimeoutMs: number, checkpoints: Checkpointer | undefined): MigratedStore {
  const getCar = db.prepare<[number], StoredCar>('SELECT id, model, color, revision FROM cars WHERE id = ?');
  const insertCar = db.prepare<[number, string, string, string, string, number]>(
    'INSERT INTO cars (id, model, color, model_key, color_key, revision) VALUES (?, ?, ?, ?, ?, ?)',
  );
  // Only the columns that change are written, so an update that keeps the model (or the
  // color) leaves that column's two indexes untouched.
  const replaceCar = db.prepare<[string, string, string, string, number, number]>(
    'UPDATE cars SET model = ?, color = ?, model_key = ?, color_key = ?, revision = ? WHERE id = ?',
  );
  const replaceModel = db.prepare<[string, string, number, number]>(
    'UPDATE cars SET model = ?, model_key = ?, revision = ? WHERE id = ?',
  );
  const replaceColor = db.prepare<[string, string, number, number]>(
    'UPDATE cars SET color = ?, color_key = ?, revision = ? WHERE id = ?',
  );
  const touchCar = db.prepare<[number, number]>('UPDATE cars SET revision = ? WHERE id = ?');
  const deleteCar = db.prepare<[number]>('DELETE FROM cars WHERE id = ?');
  // Two statements, not one UPDATE … RETURNING: SQLite runs RETURNING as a trigger, so inside a
  // batch that UPDATE kept a statement journal (a malloc'd copy of the page, which a page-fault
  // profile of the server under load showed) and an ephemeral table of results. Measured through
  // store.put() in batches of 48: 9.0 µs per put before, 8.1 µs after.
  const reserveRevisions = db.prepare<[number]>('UPDATE store_revision SET value = value + ? WHERE id = 1');
  const currentRevision = db.prepare<[], { value: number }>('SELECT value FROM store_revision WHERE id = 1');
  const maxId = db.prepare<[], { max: number | null }>('SELECT max(id) AS max FROM cars');
  // The lowest free id; only needed once the top of the id space is taken.
  const firstGap = db.prepare<[], { id: number | null }>(
    `SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM cars WHERE id = 1) THEN 1 ELSE (
       SELECT min(c.id + 1) FROM cars c
       WHERE c.id < ${MAX_CAR_ID} AND NOT EXISTS (SELECT 1 FROM cars d WHERE d.id = c.id + 1)
     ) END AS id`,
  );
  const getKey = db.prepare<[string], { fingerprint: string; car: string; expires_at: number }>(
    'SELECT fingerprint, car, expires_at FROM idempotency_keys WHERE key = ?',
  );
  const deleteKey = db.prepare<[string]>('DELETE FROM idempotency_keys WHERE key = ?');
  const insertKey = db.prepare<[string, string, string, number, number]>(
    'INSERT INTO idempotency_keys (key, fingerprint, car, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  );
  const purgeKeys = db.prepare<[number]>(
    `DELETE FROM idempotency_keys WHERE key IN (
       SELECT key FROM idempotency_keys WHERE expires_at <= ? ORDER BY expires_at LIMIT ${PURGE_BATCH})`,
  );
  const selectOne = db.prepare('SELECT 1');
  const migrations = db.prepare<[], { version: number; name: string; applied_at: string }>(
    'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
  );
  const insertApiKey = db.prepare<[string, string, string, string, string]>(
    'INSERT INTO api_keys (id, name, scopes, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const getApiKey = db.prepare<[string], ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = ?`);
  // rowid orders keys created within the same millisecond.
  const allApiKeys = db.prepare<[], ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys ORDER BY created_at, rowid`);
  const revokeApiKey = db.prepare<[string, string]>('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  const countActiveApiKeys = db.prepare<[], { count: number }>('SELECT count(*) AS count FROM api_keys WHERE revoked_at IS NULL');
  // One prepared pair per listing shape (filters, sort, paging); the shapes are few and bounded.
  const listStatements = new Map<string, ListStatements>();

  const nextId = (): number | undefined => {
    const max = maxId.get()?.max ?? 0;
    if (max < MAX_CAR_ID) return max + 1;
    return firstGap.get()?.id ?? undefined;
  };
  // Each write batch reserves one revision per call it carries, with one UPDATE at the start of
  // its transaction, and its writes take them in order: two statements per batch where there were
  // two per write. Reserved outside any SAVEPOINT, a reservation stands or falls with the whole
  // batch, so no number is ever handed out twice. Numbers a batch leaves unused are skipped: a
  // revision only has to be new and larger.
  const revisions = { next: 1, last: 0 };
  const reserve = (count: number): void => {
    reserveRevisions.run(count);
    const row = currentRevision.get();
    if (!row) throw new Error('store_revision has no row');
    revisions.last = row.value;
    revisions.next = row.value - count + 1;
  };
  const nextRevision = (): number => {
    // Every car write runs in a write batch and takes one revision; anything else is a bug.
    if (revisions.next > revisions.last) throw new Error('a write took a revision its batch did not reserve');
    return revisions.next++;
  };
  // A write takes a revision, then changes the car in one statement. If that statement fails,
  // SQLite undoes it alone, leaving only an unused revision number; so within a batch a write
  // needs no SAVEPOINT of its own (one costs ~9 µs, a third of the write).
  const write = (id: number, model: string, color: string, current: StoredCar | undefined): StoredCar => {
    const revision = nextRevision();
    if (!current) insertCar.run(id, model, color, caseKey(model), caseKey(color), revision);
    else if (model !== current.model && color !== current.color) {
      replaceCar.run(model, color, caseKey(model), caseKey(color), revision, id);
    } else if (model !== current.model) replaceModel.run(model, caseKey(model), revision, id);
    else if (color !== current.color) replaceColor.run(color, caseKey(color), revision, id);
    else touchCar.run(revision, id);
    return { id, model, color, revision };
  };

  // Runs inside a read batch, whose transaction gives a page and its total one snapshot.
  const list = (query: ListQuery): ListPage => {
    const plan = planList(query, dialect);
    let statements = listStatements.get(plan.pageSql);
    if (!statements) {
      statements = { page: db.prepare(plan.pageSql), count: db.prepare(plan.countSql) };
      listStatements.set(plan.pageSql, statements);
    }
    const rows = statements.page.all(...plan.pageParams);
    const hasMore = rows.length > query.limit;
    const page: ListPage = { cars: hasMore ? rows.slice(0, query.limit) : rows, hasMore };
    if (query.withTotal) page.total = statements.count.get(...plan.countParams)?.total ?? 0;
    return page;
  };

  const insert = (car: NewCar, claim: IdempotencyClaim | undefined): InsertOutcome => {
    const now = Date.now();
    if (claim) {
      purgeKeys.run(now);
      const seen = getKey.get(claim.key);
      if (seen && seen.expires_at > now) {
        if (seen.fingerprint !== claim.fingerprint) return { status: 'key-reused' };
        return replayOf(JSON.parse(seen.car) as FirstAnswer);
      }
      if (seen) deleteKey.run(claim.key);
    }
    let id = car.id;
    if (id === undefined) {
      id = nextId();
      if (id === undefined) return { status: 'conflict' };
    } else if (getCar.get(id)) {
      return { status: 'conflict', id };
    }
    const created = write(id, car.model, car.color, undefined);
    if (claim) insertKey.run(claim.key, claim.fingerprint, JSON.stringify(firstAnswerOf(created)), now, now + claim.ttlMs);
    return { status: 'created', car: created };
  };
  // With a key, the car and its key row stand or fall together.
  const insertClaimed = db.transaction(insert);

  const put = (car: Car, condition: WriteCondition | undefined): PutOutcome => {
    const current = getCar.get(car.id);
    const refusal = checkCondition(current, condition);
    if (refusal) return { status: refusal };
    const stored = write(car.id, car.model, car.color, current);
    return { status: current ? 'replaced' : 'created', car: stored };
  };

  const update = (id: number, changes: CarChanges, condition: WriteCondition | undefined): UpdateOutcome => {
    const current = getCar.get(id);
    // RFC 9110 §13.2.1: preconditions are ignored when the answer would be 404 anyway.
    if (!current) return { status: 'not-found' };
    const refusal = checkCondition(current, condition);
    if (refusal) return { status: refusal };
    const car = write(id, changes.model ?? current.model, changes.color ?? current.color, current);
    return { status: 'updated', car };
  };

  const remove = (id: number, condition: WriteCondition | undefined): DeleteOutcome => {
    const current = getCar.get(id);
    if (!current) return { status: 'not-found' };
    const refusal = checkCondition(current, condition);
    if (refusal) return { status: refusal };
    deleteCar.run(id);
    return { status: 'deleted' };
  };

  // Every call translates faults; IMMEDIATE takes the write lock before reading, so a check and
  // its write see the same row and two processes can't pick the same id. A busy lock is tried
  // again until the busy timeout: a failed try has rolled back, so trying again is safe.
  const retry = async <T>(work: () => T): Promise<T> => {
    const deadline = Date.now() + busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      await sleep(Math.min(2 ** attempt, BUSY_RETRY_MAX_DELAY_MS, Math.max(1, deadline - Date.now())));
      try {
        return work();
      } catch (err) {
        if (!isSqliteBusy(err) || Date.now() >= deadline) throw translateSqliteError(err);
      }
    }
  };
  // The first try runs at once and settles without an extra async frame (the common case on
  // the hot path); only a busy lock goes on to the waiting retries.
  const run = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (err) {
      if (!isSqliteBusy(err) || busyTimeoutMs <= 0) return Promise.reject(translateSqliteError(err));
      return retry(work);
    }
  };

  // Calls that arrive in one turn of the event loop share a transaction (see sqlite-batch.ts).
  const batch = createBatch(db, run, translateSqliteError, 'immediate', { onStart: reserve });
  const read = createBatch(db, run, translateSqliteError, 'deferred');
  // Car writes are what grow the WAL: the first starts the checkpoint worker, and one after a
  // quiet spell wakes it. API keys are written rarely (and by short-lived scripts), so they don't.
  const commit = <T>(work: () => T): Promise<T> => {
    checkpoints?.wrote();
    return batch(work);
  };

  return {
    list: (query) => read(() => list(query)),
    get: (id) => read(() => getCar.get(id)),
    insert: (car, claim) => commit(() => (claim ? insertClaimed(car, claim) : insert(car, claim))),
    put: (car, condition) => commit(() => put(car, condition)),
    update: (id, changes, condition) => commit(() => update(id, changes, condition)),
    delete: (id, condition) => commit(() => remove(id, condition)),
    ping: () => run(() => void selectOne.get()),
    // The worker goes first, so that this connection is the last one and its close checkpoints
    // the WAL and deletes it.
    close: async () => {
      await checkpoints?.stop();
      return run(() => void db.close());
    },
    appliedMigrations: () =>
      run(() => migrations.all().map((m): AppliedMigration => ({ version: m.version, name: m.name, appliedAt: m.applied_at }))),
    createApiKey: ({ id, name, scopes, secretHash }) =>
      run((): ApiKeyRecord => {
        const createdAt = new Date().toISOString();
        insertApiKey.run(id, name, scopesColumn(scopes), secretHash, createdAt);
        return { id, name, scopes: [...scopes], secretHash, createdAt };
      }),
    findApiKey: (id) =>
      read(() => {
        const row = getApiKey.get(id);
        return row && toApiKeyRecord(row);
      }),
    listApiKeys: () => run(() => allApiKeys.all().map(toApiKeyRecord)),
    revokeApiKey: (id) => run(() => revokeApiKey.run(new Date().toISOString(), id).changes > 0),
    countActiveApiKeys: () => run(() => countActiveApiKeys.get()?.count ?? 0),
  };
}

/** Applies the pending migrations under the write lock, so concurrent starters don't race. */
function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.transaction(() => {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = db.prepare<[], { version: number }>('SELECT version FROM schema_migrations');
    const record = db.prepare<[number, string, string]>(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    const done = new Set(applied.all().map((row) => row.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}
