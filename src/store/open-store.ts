/** Chooses and opens the store named by a `DATABASE_URL`. */
import type { MigratedStore } from './migration.js';

/** Settings that apply to pooled engines (PostgreSQL); SQLite ignores them. */
export interface OpenStoreOptions {
  /** The most connections to open (DATABASE_POOL_MAX). */
  poolMax?: number;
  /** The server cancels a statement after this many ms (DATABASE_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
  /** The PostgreSQL schema to use, created when missing (tests give each run its own). */
  schema?: string;
}

/**
 * Opens and migrates the store for `sqlite:<file>`, `sqlite::memory:`, `postgres://...` or
 * `postgresql://...`; rejects with StoreUnavailableError when the database can't be reached.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<MigratedStore> {
  // Each engine is imported only when it is used: loading pg took 175 ms of a SQLite server's start-up.
  if (databaseUrl.startsWith('sqlite:')) {
    const { openSqliteStore } = await import('./sqlite-store.js');
    return openSqliteStore({ filename: databaseUrl.slice('sqlite:'.length) });
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    const { openPostgresStore } = await import('./postgres-store.js');
    return openPostgresStore({
      connectionString: databaseUrl,
      poolMax: options.poolMax,
      statementTimeoutMs: options.statementTimeoutMs,
      schema: options.schema,
    });
  }
  throw new Error(`unsupported DATABASE_URL scheme: ${databaseUrl.split(':')[0]}`);
}
