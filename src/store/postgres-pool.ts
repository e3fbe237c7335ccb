/** The PostgreSQL connection pool and its two ways in: one statement, or one transaction on one client. */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { CustomTypesConfig, PoolClient, QueryConfig, QueryResultRow } from 'pg';
import { isConnectionBroken, translatePostgresError } from './postgres-faults.js';

/** How to reach the database and how much of it to use. */
export interface PostgresPoolOptions {
  connectionString: string;
  poolMax: number;
  statementTimeoutMs: number;
  connectionTimeoutMs: number;
  /** Put first on every connection's search_path; must already be a safe identifier. */
  schema?: string;
}

/** What a statement inside a transaction runs on. */
export type Queryable = Pick<PoolClient, 'query'>;

/** Bind values; objects are sent as JSON. */
export type Values = (string | number | object | null)[];

/** Options for a transaction: how to begin it, and whether to commit the work's result. */
export interface TransactionOptions<T> {
  begin?: string;
  commitIf?: (value: T) => boolean;
}

/** The pool's ways in; both translate faults into StoreUnavailableError. */
export interface PostgresDatabase {
  /** Runs one statement on any pooled connection. */
  query<R extends QueryResultRow>(text: string, values?: Values): Promise<R[]>;
  /** Runs `work` in a transaction on one client, which always goes back to the pool outside a transaction. */
  transaction<T>(work: (client: Queryable) => Promise<T>, options?: TransactionOptions<T>): Promise<T>;
  /** Closes every connection. */
  end(): Promise<void>;
}

const INT8_OID = 20;

// BIGINT as a JS number for this pool only (never through the global pg.types); every id and
// revision is at most 2^53 - 1 by CHECK and sequence bounds, so the conversion is exact.
const types: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

/** Creates the pool; it connects lazily, on the first statement. */
export function createPostgresDatabase(options: PostgresPoolOptions): PostgresDatabase {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax,
    statement_timeout: options.statementTimeoutMs,
    // statement_timeout needs a server that can answer; through a network partition only a
    // client-side timeout ends the wait (the broken connection is then discarded).
    query_timeout: options.statementTimeoutMs + 1000,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    keepAlive: true,
    types,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client that loses its connection (restart, failover) emits 'error' on the pool; the
  // pool has already discarded it and opens a fresh one on demand, so there is nothing to do
  // beyond not letting the unhandled event crash the process.
  pool.on('error', () => {});
  // The statement names by text, so the hot path hashes each statement's text only once.
  const names = new Map<string, string>();
  return {
    async query<R extends QueryResultRow>(text: string, values: Values = []) {
      try {
        // pool.query releases its client with the error, so a broken connection is discarded.
        let name = names.get(text);
        if (name === undefined) names.set(text, (name = statementName(text)));
        return (await pool.query<R>({ name, text, values })).rows;
      } catch (err) {
        throw translatePostgresError(err);
      }
    },
    async transaction<T>(work: (client: Queryable) => Promise<T>, { begin = 'BEGIN', commitIf = () => true }: TransactionOptions<T> = {}) {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw translatePostgresError(err);
      }
      let discard = false;
      // While checked out, a client has no pool listener: a connection dropped mid-transaction
      // would emit an unhandled 'error' and end the process. The query in flight fails anyway.
      const onError = () => {
        discard = true;
      };
      client.on('error', onError);
      try {
        await client.query(begin);
        const value = await work(client);
        await client.query(commitIf(value) ? 'COMMIT' : 'ROLLBACK');
        return value;
      } catch (err) {
        discard = isConnectionBroken(err);
        if (!discard) {
          // Never hand a client back to the pool inside a transaction; if even ROLLBACK fails,
          // the connection is closed instead, which ends the transaction on the server.
          await client.query('ROLLBACK').catch(() => {
            discard = true;
          });
        }
        throw translatePostgresError(err);
      } finally {
        client.off('error', onError);
        client.release(discard);
      }
    },
    end: () => pool.end(),
  };
}

/** The name of a statement's text: as a named prepared statement, each connection parses and plans it once. */
function statementName(text: string): string {
  return `cars_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
}

/** A named prepared statement. */
function named(text: string, values: Values): QueryConfig {
  return { name: statementName(text), text, values };
}

/** Runs one statement on a transaction's client and returns its rows. */
export async function rows<R extends QueryResultRow>(client: Queryable, text: string, values: Values = []): Promise<R[]> {
  return (await client.query<R>(named(text, values))).rows;
}

