/** Chooses and opens the store named by a `DATABASE_URL`. */
import type { CarStore } from './car-store.js';
import { openSqliteStore } from './sqlite-store.js';

/** Opens the store for `sqlite:<file>` or `sqlite::memory:`. */
export async function openStore(databaseUrl: string): Promise<CarStore> {
  if (databaseUrl.startsWith('sqlite:')) {
    return openSqliteStore({ filename: databaseUrl.slice('sqlite:'.length) });
  }
  throw new Error(`unsupported DATABASE_URL scheme: ${databaseUrl.split(':')[0]}`);
}
