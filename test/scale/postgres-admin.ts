/** PostgreSQL for the scale tests: the CARS_TEST_POSTGRES_URL gate, and throw-away databases and roles. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';

/**
 * `describe(name, ...)` with the admin URL from CARS_TEST_POSTGRES_URL; without it the suite
 * fails when CI is set (CI must cover PostgreSQL) and is skipped with one line otherwise.
 */
export function describeWithPostgres(name: string, body: (adminUrl: string) => void): void {
  const url = process.env.CARS_TEST_POSTGRES_URL;
  if (url) {
    describe(name, () => body(url));
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs CARS_TEST_POSTGRES_URL', () => {
        assert.fail('CARS_TEST_POSTGRES_URL is not set; CI must run the scale tests against PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/test)');
      });
    });
  } else {
    describe(name, { skip: 'CARS_TEST_POSTGRES_URL is not set' }, () => {});
  }
}

/** Runs `work` on a short-lived connection. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A lower-case identifier no other run uses. */
export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

/** `url` pointed at another database, and optionally logging in as another user (no password). */
export function urlFor(url: string, database: string, user?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user !== undefined) {
    u.username = user;
    u.password = '';
  }
  return u.toString();
}

/** A database created for one test file; `drop` removes it even while servers are still connected. */
export interface ScratchDatabase {
  name: string;
  /** The admin URL, on this database. */
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database (owned by `owner` when given). */
export async function createScratchDatabase(adminUrl: string, prefix: string, owner?: string): Promise<ScratchDatabase> {
  const name = uniqueName(prefix);
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}${owner === undefined ? '' : ` OWNER ${owner}`}`));
  return {
    name,
    url: urlFor(adminUrl, name),
    drop: async () => {
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
