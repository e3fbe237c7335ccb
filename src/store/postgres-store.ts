/** A CarStore on PostgreSQL through node-postgres, for running several instances on one database. */
import type { Car } from '../types.js';
import { API_KEY_COLUMNS, scopesColumn, toApiKeyRecord, type ApiKeyRow } from './api-key-row.js';
import type { ApiKeyStore } from './api-key-store.js';
import {
  MAX_CAR_ID,
  checkCondition,
  type CarStore,
  type IdempotencyClaim,
  type InsertOutcome,
  type ListPage,
  type ListQuery,
  type NewCar,
  type StoredCar,
  type WriteCondition,
  type WriteRefusal,
} from './car-store.js';
import { caseKey } from './case-key.js';
import { firstAnswerOf, replayOf, type FirstAnswer } from './idempotency-record.js';
import { CAR_COLUMNS, planList, type ListDialect } from './list-sql.js';
import type { AppliedMigration, MigratedStore, Migration } from './migration.js';
import { postgresMigrations } from './postgres-migrations.js';
import { createPostgresDatabase, rows, type PostgresDatabase, type Queryable, type Values } from './postgres-pool.js';
import { createReadCoalescer } from './read-coalescer.js';
import { StoreUnavailableError } from './store-errors.js';
import { createWriteCoalescer, type KeyedWrite } from './write-coalescer.js';

/** Options for the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** The most connections the pool opens (DATABASE_POOL_MAX); default 10. */
  poolMax?: number;
  /** The server cancels a statement after this many ms (DATABASE_STATEMENT_TIMEOUT_MS); default 5000. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection from the pool or the server, in ms; default 5000. */
  connectionTimeoutMs?: number;
  /** A schema (lower-case identifier) to keep the tables in, created when missing; default `public`. */
  schema?: string;
  /** Apply pending migrations before returning (default true); false only opens the pool. */
  migrate?: boolean;
}

// Advisory lock keys (pg_advisory_xact_lock(int, int)); the second key is the schema's hash.
const MIGRATION_LOCK = 0x63617273; // 'cars'
const ID_LOCK = 0x63617274;
// Bounds retries of a read-then-write step that lost a race to a concurrent commit.
const MAX_ATTEMPTS = 5;
// Expired idempotency keys removed per keyed insert: enough to keep up, cheap enough to ignore.
const PURGE_BATCH = 16;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A row an upsert returned: the car, and whether the statement inserted it. */
type UpsertedRow = StoredCar & { inserted: boolean };
/** One write's outcome in a batch: its row (none: not written), or the fault of its own statement. */
type RowOutcome<R> = { row: R | undefined } | { error: unknown };

const dialect: ListDialect = {
  param: (n) => `$${n}`,
  contains: (column, needle) => `strpos(${column}, ${needle}) > 0`,
};

// The revision test of a conditional write: $n is null (no list: any revision) or If-Match's revisions.
const revisionIn = (n: number) => `($${n}::bigint[] IS NULL OR revision = ANY($${n}::bigint[]))`;

/** If-Match's revisions as the revision test's parameter: null when any revision will do. */
const revisionsOf = (condition: WriteCondition | undefined): number[] | null =>
  condition?.expectedRevisions === undefined || condition.expectedRevisions === 'any' ? null : [...condition.expectedRevisions];

/**
 * What checkCondition() answers for an existing car that passes If-Match: the refusal that does
 * not depend on its revision (If-None-Match: *, or a required If-Match that is missing), if any.
 */
function refusalIfPresent(condition: WriteCondition | undefined): WriteRefusal | undefined {
  if (condition?.createOnly) return 'precondition-failed';
  if (condition?.requireCondition && condition.expectedRevisions === undefined) return 'precondition-required';
  return undefined;
}

// The rows of a batch of writes, from one array per column, in id order (see upsertMany).
const BATCH_ROWS = `SELECT id, model, color, model_key, color_key, nextval('car_revision')
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(id, model, color, model_key, color_key)
           ORDER BY id`;

const SQL = {
  get: `SELECT ${CAR_COLUMNS} FROM cars WHERE id = $1`,
  // The GETs of one turn of the event loop, when there are several, in one statement (see read-coalescer.ts).
  getMany: `SELECT ${CAR_COLUMNS} FROM cars WHERE id = ANY($1::bigint[])`,
  insert: `INSERT INTO cars (id, model, color, model_key, color_key, revision)
           VALUES ($1, $2, $3, $4, $5, nextval('car_revision'))
           ON CONFLICT (id) DO NOTHING RETURNING ${CAR_COLUMNS}`,
  // An unconditional PUT: create or replace, atomically. The inserted row's revision is drawn
  // before the conflict is known, and a replace takes that same fresh number. A row this
  // statement inserted has no xmax; one it updated carries its own transaction id there.
  upsert: `INSERT INTO cars (id, model, color, model_key, color_key, revision)
           VALUES ($1, $2, $3, $4, $5, nextval('car_revision'))
           ON CONFLICT (id) DO UPDATE SET model = EXCLUDED.model, color = EXCLUDED.color,
             model_key = EXCLUDED.model_key, color_key = EXCLUDED.color_key, revision = EXCLUDED.revision
           RETURNING ${CAR_COLUMNS}, (xmax = 0) AS inserted`,
  // The unconditional PUTs of one turn of the event loop, when there are several (of distinct ids),
  // as one statement: one round trip and one commit. Rows go in id order, so two instances' batches
  // lock the rows they share in the same order and cannot deadlock.
  upsertMany: `INSERT INTO cars (id, model, color, model_key, color_key, revision)
           ${BATCH_ROWS}
           ON CONFLICT (id) DO UPDATE SET model = EXCLUDED.model, color = EXCLUDED.color,
             model_key = EXCLUDED.model_key, color_key = EXCLUDED.color_key, revision = EXCLUDED.revision
           RETURNING ${CAR_COLUMNS}, (xmax = 0) AS inserted`,
  // The POSTs with an id (and no idempotency key) of one turn, when there are several, as one statement.
  insertMany: `INSERT INTO cars (id, model, color, model_key, color_key, revision)
           ${BATCH_ROWS}
           ON CONFLICT (id) DO NOTHING RETURNING ${CAR_COLUMNS}`,
  // A PUT with If-Match: replace only a row whose revision matches. A racing writer that commits
  // first makes PostgreSQL re-check the WHERE against its row version, so only one of them wins.
  replaceIf: `UPDATE cars SET model = $2, color = $3, model_key = $4, color_key = $5, revision = nextval('car_revision')
              WHERE id = $1 AND ${revisionIn(6)} RETURNING ${CAR_COLUMNS}`,
  // PATCH and DELETE: the conditional write, and when it did not happen, the row as this
  // statement's snapshot saw it (none: 404), so one round trip tells every outcome apart.
  update: `WITH changed AS (
             UPDATE cars SET model = coalesce($2, model), color = coalesce($3, color),
               model_key = coalesce($4, model_key), color_key = coalesce($5, color_key), revision = nextval('car_revision')
             WHERE id = $1 AND ${revisionIn(6)} RETURNING ${CAR_COLUMNS})
           SELECT ${CAR_COLUMNS}, true AS written FROM changed
           UNION ALL SELECT ${CAR_COLUMNS}, false FROM cars WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed)`,
  delete: `WITH gone AS (DELETE FROM cars WHERE id = $1 AND ${revisionIn(2)} RETURNING ${CAR_COLUMNS})
           SELECT ${CAR_COLUMNS}, true AS written FROM gone
           UNION ALL SELECT ${CAR_COLUMNS}, false FROM cars WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM gone)`,
  maxId: 'SELECT max(id) AS max FROM cars',
  // The lowest free id; only needed once the top of the id space is taken.
  firstGap: `SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM cars WHERE id = 1) THEN 1 ELSE (
               SELECT min(c.id + 1) FROM cars c
               WHERE c.id < ${MAX_CAR_ID} AND NOT EXISTS (SELECT 1 FROM cars d WHERE d.id = c.id + 1)
             ) END AS id`,
  lockIds: 'SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))',
  purgeKeys: `DELETE FROM idempotency_keys WHERE key IN (
                SELECT key FROM idempotency_keys WHERE expires_at <= $1
                ORDER BY expires_at LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`,
  claimKey: `INSERT INTO idempotency_keys (key, fingerprint, car, created_at, expires_at)
             VALUES ($1, $2, NULL, $3, $4) ON CONFLICT (key) DO NOTHING RETURNING key`,
  getKey: 'SELECT fingerprint, car, expires_at FROM idempotency_keys WHERE key = $1',
  deleteExpiredKey: 'DELETE FROM idempotency_keys WHERE key = $1 AND expires_at <= $2',
  setKeyCar: 'UPDATE idempotency_keys SET car = $2 WHERE key = $1',
  migrations: 'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
  insertApiKey: `INSERT INTO api_keys (id, name, scopes, secret_hash) VALUES ($1, $2, $3, $4) RETURNING ${API_KEY_COLUMNS}`,
  getApiKey: `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = $1`,
  // id only breaks ties, which now()'s microseconds make unlikely between separate statements.
  listApiKeys: `SELECT ${API_KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`,
  revokeApiKey: 'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id',
  countActiveApiKeys: 'SELECT count(*) AS count FROM api_keys WHERE revoked_at IS NULL',
} as const;

/** Opens a pool on the database, applies pending migrations (unless told not to) and returns the store. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<MigratedStore> {
  const { schema, migrate = true } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TypeError(`schema must be a lower-case identifier, got ${JSON.stringify(schema)}`);
  }
  const db = createPostgresDatabase({
    connectionString: options.connectionString,
    poolMax: options.poolMax ?? 10,
    statementTimeoutMs: options.statementTimeoutMs ?? 5000,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 5000,
    schema,
  });
  if (migrate) {
    try {
      await applyMigrations(db, postgresMigrations, schema);
    } catch (err) {
      await db.end().catch(() => {});
      throw err;
    }
  }
  return createStore(db);
}

function createStore(db: PostgresDatabase): MigratedStore {
  let closing: Promise<void> | undefined;
  // One GET alone sends the plain statement, as a bare driver would; several share one.
  const getCar = createReadCoalescer<number, StoredCar>(async (ids) => {
    const cars = ids.length === 1 ? await db.query<StoredCar>(SQL.get, ids) : await db.query<StoredCar>(SQL.getMany, [ids]);
    return cars.map((car) => [car.id, car] as const);
  });
  // Likewise for unconditional PUTs, and POSTs with an id and no key. A batch that fails for a
  // reason other than the database being unavailable is retried one write at a time, so one
  // write's fault is that write's alone.
  const columnsOf = (cars: readonly Car[]): Values => {
    const columns: [number[], string[], string[], string[], string[]] = [[], [], [], [], []];
    for (const car of cars) {
      columns[0].push(car.id);
      columns[1].push(car.model);
      columns[2].push(car.color);
      columns[3].push(caseKey(car.model));
      columns[4].push(caseKey(car.color));
    }
    return columns;
  };
  const coalesce = <R extends StoredCar>(one: string, many: string) => {
    const single = async (car: Car): Promise<RowOutcome<R>> => {
      try {
        const [row] = await db.query<R>(one, carValues(car.id, car.model, car.color));
        return { row };
      } catch (error) {
        return { error };
      }
    };
    return createWriteCoalescer<number, Car, RowOutcome<R>>(async (writes) => {
      if (writes.length === 1) {
        const [only] = writes as [KeyedWrite<number, Car>];
        return new Map([[only.key, await single(only.input)]]);
      }
      try {
        const rows = await db.query<R>(many, columnsOf(writes.map((w) => w.input)));
        const byId = new Map(rows.map((row) => [row.id, row]));
        // A key with no row returned is a car the statement did not write (ON CONFLICT DO NOTHING).
        return new Map(writes.map((w) => [w.key, { row: byId.get(w.key) }]));
      } catch (err) {
        if (err instanceof StoreUnavailableError) throw err;
        return new Map(await Promise.all(writes.map(async (w) => [w.key, await single(w.input)] as const)));
      }
    });
  };
  const upsert = coalesce<UpsertedRow>(SQL.upsert, SQL.upsertMany);
  const insertWithId = coalesce<StoredCar>(SQL.insert, SQL.insertMany);

  const nextId = async (client: Queryable): Promise<number | undefined> => {
    const [max] = await rows<{ max: number | null }>(client, SQL.maxId);
    const top = max?.max ?? 0;
    if (top < MAX_CAR_ID) return top + 1;
    const [gap] = await rows<{ id: number | null }>(client, SQL.firstGap);
    return gap?.id ?? undefined;
  };
  const carValues = (id: number, model: string, color: string): Values => [id, model, color, caseKey(model), caseKey(color)];

  /** Claims the key, or answers from its earlier use; resolves undefined once the key is ours. */
  const claimKey = async (client: Queryable, claim: IdempotencyClaim, now: number): Promise<InsertOutcome | undefined> => {
    await rows(client, SQL.purgeKeys, [now]);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // A concurrent claim of the same key makes this wait on the unique index until that
      // transaction ends; if it committed, the key is visible to the next statement.
      const claimed = await rows(client, SQL.claimKey, [claim.key, claim.fingerprint, now, now + claim.ttlMs]);
      if (claimed.length > 0) return undefined;
      const [seen] = await rows<{ fingerprint: string; car: FirstAnswer | null; expires_at: number }>(client, SQL.getKey, [claim.key]);
      if (!seen || seen.car === null) continue;
      if (seen.expires_at <= now) {
        await rows(client, SQL.deleteExpiredKey, [claim.key, now]);
        continue;
      }
      if (seen.fingerprint !== claim.fingerprint) return { status: 'key-reused' };
      return replayOf(seen.car);
    }
    throw new Error(`idempotency key ${JSON.stringify(claim.key)} kept changing under ${MAX_ATTEMPTS} attempts`);
  };

  const insertCar = async (client: Queryable, car: NewCar): Promise<InsertOutcome> => {
    if (car.id !== undefined) {
      const [created] = await rows<StoredCar>(client, SQL.insert, carValues(car.id, car.model, car.color));
      return created ? { status: 'created', car: created } : { status: 'conflict', id: car.id };
    }
    // Serialises id picking between instances; a PUT to the same id can still win, and then
    // ON CONFLICT waits for it and we pick again.
    await rows(client, SQL.lockIds, [ID_LOCK]);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const id = await nextId(client);
      if (id === undefined) return { status: 'conflict' };
      const [created] = await rows<StoredCar>(client, SQL.insert, carValues(id, car.model, car.color));
      if (created) return { status: 'created', car: created };
    }
    throw new Error(`no free id found in ${MAX_ATTEMPTS} attempts`);
  };

  /**
   * Runs a conditional UPDATE or DELETE of an existing car (SQL.update, SQL.delete): the written
   * row, or why there was none, told apart by the same statement's snapshot of the row.
   */
  const writeExisting = async (
    id: number,
    condition: WriteCondition | undefined,
    sql: string,
    values: Values,
  ): Promise<{ car: StoredCar } | { status: 'not-found' | WriteRefusal }> => {
    const ifPresent = refusalIfPresent(condition);
    if (ifPresent) {
      // An existing car refuses whatever its revision: there is nothing to write, only to look up.
      const [current] = await db.query<StoredCar>(SQL.get, [id]);
      return { status: current ? ifPresent : 'not-found' };
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [row] = await db.query<StoredCar & { written: boolean }>(sql, values);
      // RFC 9110 §13.2.1: preconditions are ignored when the answer would be 404 anyway.
      if (!row) return { status: 'not-found' };
      const { written, ...car } = row;
      if (written) return { car };
      const refusal = checkCondition(car, condition);
      if (refusal) return { status: refusal };
      // The snapshot's car met the condition, but a write that committed meanwhile changed or
      // deleted it before this statement could: ask again, against a fresh snapshot.
    }
    throw new Error(`car ${id} kept changing under ${MAX_ATTEMPTS} attempts`);
  };

  const store: CarStore = {
    async list(query: ListQuery): Promise<ListPage> {
      const plan = planList(query, dialect);
      const toPage = (cars: StoredCar[]): ListPage =>
        cars.length > query.limit ? { cars: cars.slice(0, query.limit), hasMore: true } : { cars, hasMore: false };
      if (!query.withTotal) return toPage(await db.query<StoredCar>(plan.pageSql, plan.pageParams));
      // One snapshot for the page and its count.
      return db.transaction(
        async (client) => {
          const page = toPage(await rows<StoredCar>(client, plan.pageSql, plan.pageParams));
          const [count] = await rows<{ total: number }>(client, plan.countSql, plan.countParams);
          return { ...page, total: count?.total ?? 0 };
        },
        { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' },
      );
    },

    get(id) {
      return getCar(id);
    },

    async insert(car, claim) {
      if (!claim && car.id !== undefined) {
        // With an id and without a key, the insert is one statement: the id's uniqueness is its only check.
        const outcome = await insertWithId(car.id, { id: car.id, model: car.model, color: car.color });
        if ('error' in outcome) throw outcome.error;
        return outcome.row ? { status: 'created', car: outcome.row } : { status: 'conflict', id: car.id };
      }
      // Without an id, max + 1 is picked under a lock, in a transaction: a single statement reads
      // with the snapshot it started with, before any lock it takes, so racing inserts would all
      // pick the same id and all but one would have to try again (measured: some ran out of tries).
      // With a key, the key row and the car stand or fall together, so they share the transaction.
      return db.transaction(
        async (client): Promise<InsertOutcome> => {
          if (claim) {
            const earlier = await claimKey(client, claim, Date.now());
            if (earlier) return earlier;
          }
          const outcome = await insertCar(client, car);
          if (claim && outcome.status === 'created') await rows(client, SQL.setKeyCar, [claim.key, firstAnswerOf(outcome.car)]);
          return outcome;
        },
        // A conflict rolls back the key claim with everything else, so a retry is judged afresh.
        { commitIf: (outcome) => outcome.status !== 'conflict' },
      );
    },

    // Each write below is one statement, with its precondition inside it, and no transaction.
    async put(car, condition) {
      const ifPresent = refusalIfPresent(condition);
      if (checkCondition(undefined, condition)) {
        // If-Match: only an existing car can match (RFC 9110 §13.1.1). With If-None-Match: * as
        // well, no car can pass both, and both refusals are 'precondition-failed'.
        if (ifPresent) return { status: 'precondition-failed' };
        const values = [...carValues(car.id, car.model, car.color), revisionsOf(condition)];
        const [replaced] = await db.query<StoredCar>(SQL.replaceIf, values);
        return replaced ? { status: 'replaced', car: replaced } : { status: 'precondition-failed' };
      }
      if (ifPresent) {
        // An existing car refuses whatever its revision: create only.
        const [created] = await db.query<StoredCar>(SQL.insert, carValues(car.id, car.model, car.color));
        return created ? { status: 'created', car: created } : { status: ifPresent };
      }
      const outcome = await upsert(car.id, car);
      if ('error' in outcome) throw outcome.error;
      if (!outcome.row) throw new Error(`car ${car.id} was not returned by its upsert`);
      const { inserted, ...stored } = outcome.row;
      return { status: inserted ? 'created' : 'replaced', car: stored };
    },

    async update(id, changes, condition) {
      const model = changes.model ?? null;
      const color = changes.color ?? null;
      const outcome = await writeExisting(id, condition, SQL.update, [
        id,
        model,
        color,
        model === null ? null : caseKey(model),
        color === null ? null : caseKey(color),
        revisionsOf(condition),
      ]);
      return 'car' in outcome ? { status: 'updated', car: outcome.car } : outcome;
    },

    async delete(id, condition) {
      const outcome = await writeExisting(id, condition, SQL.delete, [id, revisionsOf(condition)]);
      return 'car' in outcome ? { status: 'deleted' } : outcome;
    },

    async ping() {
      await db.query('SELECT 1');
    },

    close() {
      closing ??= db.end();
      return closing;
    },
  };

  const keys: ApiKeyStore = {
    async createApiKey({ id, name, scopes, secretHash }) {
      const [created] = await db.query<ApiKeyRow>(SQL.insertApiKey, [id, name, scopesColumn(scopes), secretHash]);
      if (!created) throw new Error(`api key ${id} was not returned by its insert`);
      return toApiKeyRecord(created);
    },

    async findApiKey(id) {
      const [row] = await db.query<ApiKeyRow>(SQL.getApiKey, [id]);
      return row && toApiKeyRecord(row);
    },

    async listApiKeys() {
      return (await db.query<ApiKeyRow>(SQL.listApiKeys)).map(toApiKeyRecord);
    },

    async revokeApiKey(id) {
      return (await db.query(SQL.revokeApiKey, [id])).length > 0;
    },

    async countActiveApiKeys() {
      const [row] = await db.query<{ count: number }>(SQL.countActiveApiKeys);
      return row?.count ?? 0;
    },
  };

  return {
    ...store,
    ...keys,
    async appliedMigrations() {
      const applied = await db.query<{ version: number; name: string; applied_at: Date }>(SQL.migrations);
      return applied.map((m): AppliedMigration => ({ version: m.version, name: m.name, appliedAt: m.applied_at.toISOString() }));
    },
  };
}

/** Applies pending migrations in one transaction under an advisory lock, so concurrent starters queue. */
async function applyMigrations(db: PostgresDatabase, migrations: readonly Migration[], schema: string | undefined): Promise<void> {
  await db.transaction(async (client) => {
    // A migration may rightly take longer than any request is allowed to.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK, schema ?? '']);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
  });
}
