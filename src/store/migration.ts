/** What every engine's schema migrations look like, and how a store reports the ones applied. */
import type { ApiKeyStore } from './api-key-store.js';
import type { CarStore } from './car-store.js';

/** One schema change. Never edit one that has shipped: add a new one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** A migration recorded in the database. */
export interface AppliedMigration {
  version: number;
  name: string;
  /** ISO 8601 timestamp. */
  appliedAt: string;
}

/**
 * What an engine returns: its cars and API keys, in a schema migrated when it was opened,
 * and the list of those migrations.
 */
export interface MigratedStore extends CarStore, ApiKeyStore {
  /** The migrations recorded in the database, oldest first. */
  appliedMigrations(): Promise<AppliedMigration[]>;
}
