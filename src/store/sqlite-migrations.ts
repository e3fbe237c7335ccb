/** SQLite schema migrations, applied in order at start-up. Never edit one that has shipped: add a new one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every SQLite migration, oldest first. */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create cars',
    sql: `
      CREATE TABLE cars (
        id      INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 9007199254740991),
        model   TEXT    NOT NULL CHECK (length(model) BETWEEN 1 AND 100),
        color   TEXT    NOT NULL CHECK (length(color) BETWEEN 1 AND 50),
        version INTEGER NOT NULL DEFAULT 1
      ) STRICT;
    `,
  },
];
