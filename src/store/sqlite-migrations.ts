/** SQLite schema migrations, applied in order at start-up. Never edit one that has shipped: add a new one. */
import type { Migration } from './migration.js';

/** Every SQLite migration, oldest first. */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create cars, revisions and idempotency keys',
    sql: `
      CREATE TABLE cars (
        id        INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 9007199254740991),
        model     TEXT    NOT NULL CHECK (length(model) BETWEEN 1 AND 100),
        color     TEXT    NOT NULL CHECK (length(color) BETWEEN 1 AND 50),
        model_key TEXT    NOT NULL,
        color_key TEXT    NOT NULL,
        revision  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX cars_model_id ON cars (model, id);
      CREATE INDEX cars_color_id ON cars (color, id);
      CREATE INDEX cars_model_key_id ON cars (model_key, id);
      CREATE INDEX cars_color_key_id ON cars (color_key, id);

      -- One row, incremented inside every write transaction: revisions never repeat.
      CREATE TABLE store_revision (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        value INTEGER NOT NULL
      ) STRICT;
      INSERT INTO store_revision (id, value) VALUES (1, 0);

      CREATE TABLE idempotency_keys (
        key         TEXT    PRIMARY KEY,
        fingerprint TEXT    NOT NULL,
        car         TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
    `,
  },
  {
    version: 2,
    name: 'create api keys',
    // A rowid table: rowid breaks ties between keys created in the same millisecond, so
    // listing stays in creation order. scopes holds a JSON array of scope names.
    sql: `
      CREATE TABLE api_keys (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        scopes      TEXT NOT NULL CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
        secret_hash TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        revoked_at  TEXT
      ) STRICT;
    `,
  },
];
