/** Storage for API keys: only a hash of each secret is kept, never the key itself. */

/** The scopes an API key can grant. */
export const SCOPES = ['cars:read', 'cars:write'] as const;
/** One scope. */
export type Scope = (typeof SCOPES)[number];

/** An API key as stored. */
export interface ApiKeyRecord {
  /** The public part of the key, unique; it appears in the key text and in listings. */
  id: string;
  /** A label for people (e.g. "ci"). */
  name: string;
  scopes: Scope[];
  /** Hex SHA-256 of the key's secret part. */
  secretHash: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601, when revoked. */
  revokedAt?: string;
}

/** Storage for API keys. Engines implement it beside CarStore, in the same database. */
export interface ApiKeyStore {
  /** Stores a new key; the id must be unique. */
  createApiKey(key: { id: string; name: string; scopes: Scope[]; secretHash: string }): Promise<ApiKeyRecord>;
  /** The key with this id, revoked or not, or `undefined`. */
  findApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key, oldest first. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked; `false` when there is no such key or it was already revoked. */
  revokeApiKey(id: string): Promise<boolean>;
  /** The number of keys not revoked. */
  countActiveApiKeys(): Promise<number>;
}
