/** How both engines turn an api_keys row into an ApiKeyRecord, and scopes into column text. */
import { SCOPES, type ApiKeyRecord, type Scope } from './api-key-store.js';

/** An api_keys row as an engine reads it; PostgreSQL gives timestamps as Dates, SQLite as ISO text. */
export interface ApiKeyRow {
  id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_at: string | Date;
  revoked_at: string | Date | null;
}

/** The columns of an api_keys row, in the order ApiKeyRow names them. */
export const API_KEY_COLUMNS = 'id, name, scopes, secret_hash, created_at, revoked_at';

const isScope = (value: unknown): value is Scope => (SCOPES as readonly unknown[]).includes(value);
const iso = (value: string | Date): string => (typeof value === 'string' ? value : value.toISOString());

/** The scopes column's text: a JSON array. */
export function scopesColumn(scopes: readonly Scope[]): string {
  return JSON.stringify(scopes);
}

/** The record for a row; `revokedAt` is left out, not undefined, while the key is active. */
export function toApiKeyRecord(row: ApiKeyRow): ApiKeyRecord {
  const stored: unknown = JSON.parse(row.scopes);
  // A scope this version no longer knows grants nothing, rather than failing every lookup.
  const scopes = Array.isArray(stored) ? stored.filter(isScope) : [];
  const record: ApiKeyRecord = { id: row.id, name: row.name, scopes, secretHash: row.secret_hash, createdAt: iso(row.created_at) };
  if (row.revoked_at !== null) record.revokedAt = iso(row.revoked_at);
  return record;
}
