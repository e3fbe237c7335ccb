/** The embedded default: a CarStore on SQLite through better-sqlite3, in WAL mode. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Car } from '../types.js';
import { MAX_CAR_ID, type CarStore, type NewCar, type PutResult } from './car-store.js';
import { sqliteMigrations, type Migration } from './sqlite-migrations.js';

/** Options for the SQLite store. */
export interface SqliteStoreOptions {
  /** A file path, or `:memory:` for a fresh private store. */
  filename: string;
  /** How long a writer waits for another process's lock, in ms. */
  busyTimeoutMs?: number;
}

/** Opens (creating when needed) the database, migrates it and returns the store. */
export function openSqliteStore({ filename, busyTimeoutMs = 5000 }: SqliteStoreOptions): CarStore {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const db = new Database(filename);
  db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  // WAL lets readers run beside the writer, and with synchronous=NORMAL a commit survives a
  // process crash (kill -9); only an OS crash or power loss can drop the last commits.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db, sqliteMigrations);

  const listAll = db.prepare<[], Car>('SELECT id, model, color FROM cars ORDER BY id');
  const getOne = db.prepare<[number], Car>('SELECT id, model, color FROM cars WHERE id = ?');
  const insertWithId = db.prepare<[number, string, string], Car>(
    'INSERT INTO cars (id, model, color) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id, model, color',
  );
  const maxId = db.prepare<[], { max: number | null }>('SELECT max(id) AS max FROM cars');
  // The lowest id whose successor is free; only needed once the top of the id space is used.
  const firstGap = db.prepare<[], { id: number }>(
    `SELECT 1 AS id WHERE NOT EXISTS (SELECT 1 FROM cars WHERE id = 1)
     UNION ALL
     SELECT min(c.id + 1) FROM cars c WHERE c.id < ${MAX_CAR_ID} AND NOT EXISTS (SELECT 1 FROM cars d WHERE d.id = c.id + 1)`,
  );
  const update = db.prepare<[string, string, number], Car>(
    'UPDATE cars SET model = ?, color = ?, version = version + 1 WHERE id = ? RETURNING id, model, color',
  );
  const remove = db.prepare<[number]>('DELETE FROM cars WHERE id = ?');
  const ping = db.prepare('SELECT 1');

  const nextId = (): number | undefined => {
    const max = maxId.get()?.max ?? 0;
    if (max < MAX_CAR_ID) return max + 1;
    return firstGap.all().find((row) => row.id !== null)?.id;
  };

  // IMMEDIATE takes the write lock up front, so two processes can't pick the same id.
  const insert = db.transaction((car: NewCar): Car | undefined => {
    const id = car.id ?? nextId();
    if (id === undefined) return undefined;
    return insertWithId.get(id, car.model, car.color);
  });
  const put = db.transaction((car: Car): PutResult => {
    const updated = update.get(car.model, car.color, car.id);
    if (updated) return { car: updated, created: false };
    const created = insertWithId.get(car.id, car.model, car.color);
    if (!created) throw new Error(`car ${car.id} appeared inside a write transaction`);
    return { car: created, created: true };
  });

  return {
    async list() {
      return listAll.all();
    },
    async get(id) {
      return getOne.get(id);
    },
    async insert(car) {
      return insert.immediate(car);
    },
    async put(car) {
      return put.immediate(car);
    },
    async delete(id) {
      return remove.run(id).changes > 0;
    },
    async ping() {
      ping.get();
    },
    async close() {
      db.close();
    },
  };
}

/** Applies the pending migrations under the write lock, so concurrent starters don't race. */
function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = db.prepare<[], { version: number }>('SELECT version FROM schema_migrations');
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  db.transaction(() => {
    const done = new Set(applied.all().map((row) => row.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}
