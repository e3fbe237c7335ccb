/** The shared CarStore suite on SQLite, plus what only a file-backed SQLite store can show. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/open-store.js';
import { sqliteMigrations } from '../../src/store/sqlite-migrations.js';
import { openSqliteStore, SQLITE_PAGE_SIZE } from '../../src/store/sqlite-store.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';
import { describeApiKeyStore } from './api-key-store-suite.js';
import { describeCarStore } from './car-store-suite.js';
import { describeMigrationUpgrade } from './migration-suite.js';
import type { StoreFactory } from './store-fixture.js';

describe('SQLite store', () => {
  const inMemory: StoreFactory = async () => {
    const store = await openStore('sqlite::memory:');
    return { store, cleanup: () => store.close() };
  };
  describeCarStore(inMemory);
  describeApiKeyStore(inMemory);

  describe('on a file', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'cars-store-'));
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps cars and revisions across close and reopen, creating the directory', async () => {
      const filename = join(dir, 'reopen', 'nested', 'cars.db');
      const first = openSqliteStore({ filename });
      const created = await first.insert({ id: 1, model: 'Honda', color: 'White' });
      assert.ok(created.status === 'created');
      await first.close();

      const second = openSqliteStore({ filename });
      try {
        assert.deepEqual(await second.get(1), created.car);
        const updated = await second.update(1, { color: 'Red' });
        assert.ok(updated.status === 'updated');
        assert.ok(updated.car.revision > created.car.revision);
        assert.deepEqual(
          (await second.appliedMigrations()).map((m) => m.version),
          [1, 2],
        );
      } finally {
        await second.close();
      }
    });

    it('shares one database between two connections without reusing ids or revisions', async () => {
      const filename = join(dir, 'shared.db');
      const a = openSqliteStore({ filename });
      const b = openSqliteStore({ filename });
      try {
        const revisions: number[] = [];
        for (let i = 0; i < 10; i++) {
          const outcome = await (i % 2 === 0 ? a : b).insert({ model: `M${i}`, color: 'c' });
          assert.ok(outcome.status === 'created');
          assert.equal(outcome.car.id, i + 1);
          revisions.push(outcome.car.revision);
        }
        assert.deepEqual(
          revisions,
          [...revisions].sort((x, y) => x - y),
        );
        assert.equal(new Set(revisions).size, 10);
        const seenByA = await a.get(10);
        assert.deepEqual(seenByA, await b.get(10));
        assert.equal((await a.update(10, { color: 'x' }, { expectedRevisions: [seenByA!.revision] })).status, 'updated');
        assert.deepEqual(await b.update(10, { color: 'y' }, { expectedRevisions: [seenByA!.revision] }), { status: 'precondition-failed' });
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('never hands out a revision twice when the write batches of two connections interleave', async () => {
      const filename = join(dir, 'revisions.db');
      const a = openSqliteStore({ filename });
      const b = openSqliteStore({ filename });
      try {
        const revisions: number[] = [];
        for (let round = 0; round < 5; round++) {
          // One batch per connection per round, each reserving its revisions; in each, a keyed
          // insert of an existing id is refused and takes none.
          const writes = [a, b].flatMap((store, s) => [
            ...Array.from({ length: 20 }, (_, i) => store.put({ id: 1 + ((round * 7 + s * 20 + i) % 40), model: `M${round}`, color: 'c' }, undefined)),
            store.insert({ id: 1, model: 'again', color: 'c' }, { key: `k-${round}-${s}`, fingerprint: 'f', ttlMs: 60_000 }),
          ]);
          for (const outcome of await Promise.all(writes)) {
            if ('car' in outcome && outcome.car && 'revision' in outcome.car) revisions.push(outcome.car.revision);
          }
        }
        assert.equal(new Set(revisions).size, revisions.length, 'every write got its own revision');
        const after = await a.put({ id: 1, model: 'last', color: 'c' }, undefined);
        assert.ok(after.status === 'replaced' && after.car.revision > Math.max(...revisions));
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('rejects a write with StoreUnavailableError while another connection holds the write lock', async () => {
      const filename = join(dir, 'locked.db');
      const store = openSqliteStore({ filename, busyTimeoutMs: 20 });
      const other = new Database(filename);
      try {
        await store.insert({ id: 1, model: 'Honda', color: 'White' });
        other.exec('BEGIN EXCLUSIVE');
        const started = Date.now();
        await assert.rejects(store.insert({ model: 'Ford', color: 'Red' }), (err: unknown) => {
          assert.ok(err instanceof StoreUnavailableError);
          assert.equal(err.retryAfterSeconds, 1);
          assert.match(String((err.cause as { code?: string }).code), /^SQLITE_BUSY/);
          return true;
        });
        assert.ok(Date.now() - started < 1000);
        const key = { id: 'a1b2c3d4e5f6', name: 'ci', scopes: ['cars:read' as const], secretHash: '0'.repeat(64) };
        await assert.rejects(store.createApiKey(key), StoreUnavailableError);
        await assert.rejects(store.revokeApiKey(key.id), StoreUnavailableError);
        // WAL readers are not blocked by the writer.
        assert.equal((await store.get(1))?.model, 'Honda');
        assert.equal(await store.findApiKey(key.id), undefined);
        other.exec('ROLLBACK');
        assert.equal((await store.insert({ model: 'Ford', color: 'Red' })).status, 'created');
      } finally {
        other.close();
        await store.close();
      }
    });

    describeMigrationUpgrade(sqliteMigrations, async () => {
      const filename = join(dir, `upgrade-${Date.now()}.db`);
      const [first] = sqliteMigrations;
      assert.equal(first?.version, 1);
      const old = new Database(filename);
      old.exec(first.sql);
      old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(1, first.name, new Date().toISOString());
      old.prepare("INSERT INTO cars (id, model, color, model_key, color_key, revision) VALUES (1, 'Honda', 'White', 'honda', 'white', 1)").run();
      old.close();
      const store = openSqliteStore({ filename });
      return { store, cleanup: () => store.close() };
    });

    it('makes a new file with SQLITE_PAGE_SIZE pages, and keeps an existing file at its own', async () => {
      const pageSize = (filename: string) => {
        const db = new Database(filename, { readonly: true });
        try {
          return db.pragma('page_size', { simple: true });
        } finally {
          db.close();
        }
      };
      const fresh = join(dir, 'fresh-pages.db');
      await openSqliteStore({ filename: fresh }).close();
      assert.equal(pageSize(fresh), SQLITE_PAGE_SIZE);

      const existing = join(dir, 'old-pages.db');
      const old = new Database(existing);
      old.pragma('page_size = 4096');
      old.pragma('journal_mode = WAL');
      old.exec('CREATE TABLE untouched (x INTEGER)');
      old.close();
      assert.notEqual(SQLITE_PAGE_SIZE, 4096);
      const store = openSqliteStore({ filename: existing });
      try {
        const created = await store.insert({ model: 'Honda', color: 'White' });
        assert.ok(created.status === 'created');
        assert.deepEqual(await store.get(created.car.id), created.car);
      } finally {
        await store.close();
      }
      assert.equal(pageSize(existing), 4096);
    });

    it('replays a key stored before keys kept the revision, without one', async () => {
      const filename = join(dir, 'old-key.db');
      await openSqliteStore({ filename }).close();
      const old = new Database(filename);
      const now = Date.now();
      old.prepare("INSERT INTO cars (id, model, color, model_key, color_key, revision) VALUES (7, 'Honda', 'White', 'honda', 'white', 3)").run();
      old
        .prepare('INSERT INTO idempotency_keys (key, fingerprint, car, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run('old-key', 'fp', JSON.stringify({ id: 7, model: 'Honda', color: 'White' }), now, now + 60_000);
      old.close();
      const store = openSqliteStore({ filename });
      try {
        const claim = { key: 'old-key', fingerprint: 'fp', ttlMs: 60_000 };
        assert.deepEqual(await store.insert({ model: 'Honda', color: 'White' }, claim), {
          status: 'replayed',
          car: { id: 7, model: 'Honda', color: 'White' },
        });
      } finally {
        await store.close();
      }
    });

    it('rejects opening with StoreUnavailableError when the directory cannot be created', () => {
      const file = join(dir, 'plain-file');
      writeFileSync(file, 'not a directory');
      assert.throws(() => openSqliteStore({ filename: join(file, 'sub', 'cars.db') }), StoreUnavailableError);
    });

    it('rethrows bugs as they are', async () => {
      const store = openSqliteStore({ filename: ':memory:' });
      try {
        // A CHECK violation is the caller's bug (ids are validated before the store), not a fault.
        await assert.rejects(store.insert({ id: 0, model: 'Honda', color: 'White' }), (err: unknown) => {
          assert.ok(!(err instanceof StoreUnavailableError));
          assert.match(String((err as { code?: string }).code), /^SQLITE_CONSTRAINT/);
          return true;
        });
      } finally {
        await store.close();
      }
    });
  });
});
