/** PostgreSQL schema migrations, applied in order at start-up. Never edit one that has shipped: add a new one. */
import type { Migration } from './migration.js';

/** Every PostgreSQL migration, oldest first. */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create cars, revisions and idempotency keys',
    // COLLATE "C" compares UTF-8 bytes, exactly like SQLite's BINARY, so both engines sort alike.
    sql: `
      CREATE SEQUENCE car_revision AS bigint MINVALUE 1 MAXVALUE 9007199254740991 NO CYCLE;
      CREATE TABLE cars (
        id        bigint PRIMARY KEY CHECK (id BETWEEN 1 AND 9007199254740991),
        model     text COLLATE "C" NOT NULL CHECK (char_length(model) BETWEEN 1 AND 100),
        color     text COLLATE "C" NOT NULL CHECK (char_length(color) BETWEEN 1 AND 50),
        model_key text COLLATE "C" NOT NULL,
        color_key text COLLATE "C" NOT NULL,
        revision  bigint NOT NULL
      );
      CREATE INDEX cars_model_id ON cars (model, id);
      CREATE INDEX cars_color_id ON cars (color, id);
      CREATE INDEX cars_model_key_id ON cars (model_key, id);
      CREATE INDEX cars_color_key_id ON cars (color_key, id);

      CREATE TABLE idempotency_keys (
        key         text COLLATE "C" PRIMARY KEY,
        fingerprint text NOT NULL,
        -- NULL only while the claiming transaction is open.
        car         jsonb,
        created_at  bigint NOT NULL,
        expires_at  bigint NOT NULL
      );
      CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
    `,
  },
  {
    version: 2,
    name: 'create api keys',
    // scopes holds a JSON array of scope names, as text, like SQLite's.
    sql: `
      CREATE TABLE api_keys (
        id          text COLLATE "C" PRIMARY KEY,
        name        text NOT NULL,
        scopes      text NOT NULL CHECK (json_typeof(scopes::json) = 'array'),
        secret_hash text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      );
    `,
  },
];
