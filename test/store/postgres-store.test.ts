/** The shared CarStore suite on PostgreSQL (CARS_TEST_POSTGRES_URL), plus pool and fault behaviour. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import { postgresMigrations } from '../../src/store/postgres-migrations.js';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres-store.js';
import type { MigratedStore } from '../../src/store/migration.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';
import { describeApiKeyStore } from './api-key-store-suite.js';
import { describeCarStore } from './car-store-suite.js';
import { describeMigrationUpgrade } from './migration-suite.js';

const url = process.env.CARS_TEST_POSTGRES_URL;

/** Runs `work` on a short-lived admin connection. */
async function withAdmin<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A schema name no other test uses. */
const newSchema = () => `cars_test_${randomBytes(6).toString('hex')}`;

/** Opens a store in a fresh schema; cleanup closes it and drops the schema. */
async function storeInNewSchema(
  databaseUrl: string,
  options: Partial<PostgresStoreOptions> = {},
): Promise<{ store: MigratedStore; schema: string; cleanup(): Promise<void> }> {
  const schema = newSchema();
  const store = await openPostgresStore({ connectionString: databaseUrl, schema, ...options });
  return {
    store,
    schema,
    cleanup: async () => {
      await store.close();
      await withAdmin(databaseUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    },
  };
}

const expectUnavailable = (err: unknown) => {
  assert.ok(err instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${String(err)}`);
  assert.ok(err.cause !== undefined);
  return true;
};

if (!url) {
  if (process.env.CI) {
    describe('PostgreSQL store', () => {
      it('needs CARS_TEST_POSTGRES_URL', () => {
        assert.fail('CARS_TEST_POSTGRES_URL is not set; CI must run the store suite against PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/test)');
      });
    });
  } else {
    describe('PostgreSQL store', { skip: 'CARS_TEST_POSTGRES_URL is not set' }, () => {});
  }
} else {
  const databaseUrl = url;
  // The same database name with another one swapped in, for the "does not exist" case.
  const missingDatabaseUrl = (() => {
    const u = new URL(databaseUrl);
    u.pathname = '/cars_no_such_db_xyz';
    return u.toString();
  })();

  describe('PostgreSQL store', () => {
    describeCarStore(() => storeInNewSchema(databaseUrl));
    describeApiKeyStore(() => storeInNewSchema(databaseUrl));

    describe('batched writes', () => {
      it('keeps one bad write of a batch to itself: the others of its turn are written', async () => {
        const { store, schema, cleanup } = await storeInNewSchema(databaseUrl);
        try {
          // A model longer than the table's CHECK allows fails the shared statement; each write is
          // then tried alone, so only the bad one fails, with its own database error.
          const cars = [1, 2, 3, 4].map((id) => ({ id, model: id === 3 ? 'M'.repeat(101) : `Model ${id}`, color: 'Red' }));
          const puts = await Promise.allSettled(cars.map((car) => store.put(car)));
          const posts = await Promise.allSettled(cars.map((car) => store.insert({ ...car, id: car.id + 10 })));
          for (const results of [puts, posts]) {
            assert.deepEqual(
              results.map((r) => r.status),
              ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
            );
            const failed = results[2];
            assert.ok(failed?.status === 'rejected' && !(failed.reason instanceof StoreUnavailableError) && /check constraint/.test(String(failed.reason)));
          }
          const stored = await withAdmin(databaseUrl, (c) => c.query<{ id: number }>(`SELECT id::int FROM ${schema}.cars ORDER BY id`));
          assert.deepEqual(
            stored.rows.map((r) => r.id),
            [1, 2, 4, 11, 12, 14],
          );
        } finally {
          await cleanup();
        }
      });
    });

    describe('pool and schema', () => {
      it('opens through openStore with a schema and pool options', async () => {
        const schema = newSchema();
        const store = await openStore(databaseUrl, { schema, poolMax: 2, statementTimeoutMs: 2000 });
        try {
          assert.equal((await store.insert({ model: 'Honda', color: 'White' })).status, 'created');
          const inSchema = await withAdmin(databaseUrl, (c) => c.query(`SELECT count(*)::int AS n FROM ${schema}.cars`));
          assert.equal(inSchema.rows[0]?.n, 1);
        } finally {
          await store.close();
          await withAdmin(databaseUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
        }
      });

      it('migrates once when two instances start at the same moment', async () => {
        const schema = newSchema();
        const stores = await Promise.all([0, 1, 2].map(() => openPostgresStore({ connectionString: databaseUrl, schema })));
        try {
          for (const store of stores) {
            assert.deepEqual(
              (await store.appliedMigrations()).map((m) => m.version),
              [1, 2],
            );
          }
        } finally {
          await Promise.all(stores.map((s) => s.close()));
          await withAdmin(databaseUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
        }
      });

      describeMigrationUpgrade(postgresMigrations, async () => {
        const schema = newSchema();
        const [first] = postgresMigrations;
        assert.equal(first?.version, 1);
        await withAdmin(databaseUrl, async (c) => {
          await c.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
          await c.query(first.sql);
          await c.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
          await c.query('INSERT INTO schema_migrations (version, name) VALUES (1, $1)', [first.name]);
          await c.query("INSERT INTO cars (id, model, color, model_key, color_key, revision) VALUES (1, 'Honda', 'White', 'honda', 'white', nextval('car_revision'))");
        });
        const store = await openPostgresStore({ connectionString: databaseUrl, schema });
        return {
          store,
          async cleanup() {
            await store.close();
            await withAdmin(databaseUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
          },
        };
      });

      it('parses BIGINT as numbers for its own pool only, not for pg globally', async () => {
        const { store, cleanup } = await storeInNewSchema(databaseUrl);
        try {
          await store.insert({ id: 2 ** 53 - 1, model: 'Top', color: 'Gold' });
          assert.equal((await store.get(2 ** 53 - 1))?.id, 2 ** 53 - 1);
          const global = await withAdmin(databaseUrl, (c) => c.query('SELECT 1::bigint AS x'));
          assert.equal(global.rows[0]?.x, '1');
        } finally {
          await cleanup();
        }
      });

      it('rejects an unsafe schema name', async () => {
        await assert.rejects(openPostgresStore({ connectionString: databaseUrl, schema: 'x; DROP TABLE cars' }), TypeError);
      });
    });

    describe('faults', () => {
      it('rejects with StoreUnavailableError when the database does not exist', async () => {
        await assert.rejects(openStore(missingDatabaseUrl), expectUnavailable);
        const store = await openPostgresStore({ connectionString: missingDatabaseUrl, migrate: false });
        try {
          await assert.rejects(store.ping(), expectUnavailable);
          await assert.rejects(store.get(1), expectUnavailable);
          await assert.rejects(store.put({ id: 1, model: 'Honda', color: 'White' }), expectUnavailable);
          await assert.rejects(store.findApiKey('a1b2c3d4e5f6'), expectUnavailable);
          await assert.rejects(
            store.createApiKey({ id: 'a1b2c3d4e5f6', name: 'ci', scopes: ['cars:read'], secretHash: '0'.repeat(64) }),
            expectUnavailable,
          );
          await assert.rejects(store.listApiKeys(), expectUnavailable);
          await assert.rejects(store.revokeApiKey('a1b2c3d4e5f6'), expectUnavailable);
          await assert.rejects(store.countActiveApiKeys(), expectUnavailable);
        } finally {
          await store.close();
        }
      });

      it('rejects with StoreUnavailableError when nothing listens', async () => {
        const u = new URL(databaseUrl);
        u.hostname = '127.0.0.1';
        u.port = '1';
        const store = await openPostgresStore({ connectionString: u.toString(), migrate: false, connectionTimeoutMs: 1000 });
        try {
          await assert.rejects(store.ping(), expectUnavailable);
        } finally {
          await store.close();
        }
      });

      it('rejects with StoreUnavailableError on statement timeout behind a table lock, then works again', async () => {
        const { store, schema, cleanup } = await storeInNewSchema(databaseUrl, { statementTimeoutMs: 50 });
        const locker = new pg.Client({ connectionString: databaseUrl });
        await locker.connect();
        try {
          await store.insert({ id: 1, model: 'Honda', color: 'White' });
          await locker.query('BEGIN');
          await locker.query(`LOCK TABLE ${schema}.cars IN ACCESS EXCLUSIVE MODE`);
          const started = Date.now();
          await assert.rejects(store.get(1), (err: unknown) => {
            expectUnavailable(err);
            assert.equal((err as { cause?: { code?: string } }).cause?.code, '57014');
            return true;
          });
          await assert.rejects(store.update(1, { color: 'Red' }), expectUnavailable);
          assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
          await locker.query('ROLLBACK');
          assert.equal((await store.get(1))?.model, 'Honda');
          assert.equal((await store.update(1, { color: 'Red' })).status, 'updated');
          await store.ping();
        } finally {
          await locker.end();
          await cleanup();
        }
      });

      it('recovers by itself after its connections are terminated', async () => {
        const applicationName = `cars_test_${randomBytes(4).toString('hex')}`;
        const u = new URL(databaseUrl);
        u.searchParams.set('application_name', applicationName);
        const { store, cleanup } = await storeInNewSchema(u.toString(), { poolMax: 3 });
        try {
          await Promise.all([store.ping(), store.ping(), store.ping()]);
          const killed = await withAdmin(databaseUrl, (c) =>
            c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]),
          );
          assert.ok((killed.rowCount ?? 0) > 0);
          // A request may still meet a dying connection; it fails as unavailable, never as a bug.
          let recovered = false;
          for (let attempt = 0; attempt < 5 && !recovered; attempt++) {
            try {
              await store.ping();
              recovered = true;
            } catch (err) {
              expectUnavailable(err);
            }
          }
          assert.ok(recovered);
          assert.equal((await store.insert({ model: 'Honda', color: 'White' })).status, 'created');
        } finally {
          await cleanup();
        }
      });
    });
  });
}
