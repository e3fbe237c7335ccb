/** What every engine's schema migrations look like, and how a store reports the ones applied. */
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

/** A store whose schema was migrated when it was opened, and which can list those migrations. */
export interface MigratedStore extends CarStore {
  /** The migrations recorded in the database, oldest first. */
  appliedMigrations(): Promise<AppliedMigration[]>;
}
