/** Seeds the SQLite files the bench serves, through the store module, and caches the big one. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { caseKey } from '../../src/store/case-key.js';
import { openSqliteStore, SQLITE_PAGE_SIZE } from '../../src/store/sqlite-store.js';
import { sqliteMigrations } from '../../src/store/sqlite-migrations.js';
import { benchCar } from './cars.js';

// store.insert() runs one transaction per car: 43 µs each at 20k rows but 87 µs at 100k, so 1M
// would take minutes. Above this count the rows go in through one prepared INSERT per batch.
const INSERT_API_MAX = 100_000;
const BATCH = 50_000;

/** The format the stores are made in: the last migration's version plus a digest of every migration and the page size. */
export function schemaTag(): string {
  const last = sqliteMigrations.at(-1)?.version ?? 0;
  const digest = createHash('sha256')
    .update(sqliteMigrations.map((m) => `${m.version}\n${m.sql}`).join('\n'))
    .update(`\npage_size ${SQLITE_PAGE_SIZE}`)
    .digest('hex')
    .slice(0, 8);
  return `v${last}-${digest}`;
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

/** Writes a fresh store of `count` cars (ids 1..count) to `file`, replacing any old one. */
export async function seedStore(file: string, count: number): Promise<void> {
  removeDatabase(file);
  if (count > INSERT_API_MAX) {
    await seedInBatches(file, count);
    return;
  }
  const store = openSqliteStore({ filename: file });
  try {
    for (let id = 1; id <= count; id++) {
      const outcome = await store.insert(benchCar(id));
      if (outcome.status !== 'created') throw new Error(`seeding car ${id}: ${outcome.status}`);
    }
  } finally {
    await store.close();
  }
}

/**
 * The fast path for large stores. The store module creates the schema (its migrations), then the
 * rows go in as the store's own insert writes them: case keys from caseKey(), one revision per
 * write, and store_revision left at the last one so the server's next write gets a fresh tag.
 */
async function seedInBatches(file: string, count: number): Promise<void> {
  await openSqliteStore({ filename: file }).close();
  const db = new Database(file);
  try {
    const insert = db.prepare('INSERT INTO cars (id, model, color, model_key, color_key, revision) VALUES (?, ?, ?, ?, ?, ?)');
    const setRevision = db.prepare('UPDATE store_revision SET value = ? WHERE id = 1');
    const batch = db.transaction((from: number, to: number) => {
      for (let id = from; id <= to; id++) {
        const car = benchCar(id);
        insert.run(id, car.model, car.color, caseKey(car.model), caseKey(car.color), id);
      }
      setRevision.run(to);
    });
    for (let from = 1; from <= count; from += BATCH) batch.immediate(from, Math.min(count, from + BATCH - 1));
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  // Read it back through the store, so a schema the fast path no longer matches fails here.
  const store = openSqliteStore({ filename: file });
  try {
    const last = await store.get(count);
    const expected = benchCar(count);
    if (last?.model !== expected.model || last.color !== expected.color) throw new Error(`seeded store ${file} reads back wrong`);
  } finally {
    await store.close();
  }
}

/**
 * The path of a store of `count` cars kept in `dir` across runs, keyed by the schema; made (under
 * a temporary name, renamed when complete) only when missing.
 */
export async function cachedStore(dir: string, count: number): Promise<{ file: string; seeded: boolean; seconds: number }> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `cars-${count}-schema-${schemaTag()}.db`);
  if (existsSync(file)) return { file, seeded: false, seconds: 0 };
  const started = performance.now();
  const partial = `${file}.partial`;
  await seedStore(partial, count);
  renameSync(partial, file);
  removeDatabase(partial);
  return { file, seeded: true, seconds: (performance.now() - started) / 1000 };
}
