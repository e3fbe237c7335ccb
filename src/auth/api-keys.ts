/** API keys: how one is made, what its text looks like, and how a presented key is checked. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SCOPES, type ApiKeyRecord, type ApiKeyStore, type Scope } from '../store/api-key-store.js';

/** A new key: `key` is given to its holder once; only `hashSecret(secret)` is stored. */
export interface GeneratedApiKey {
  /** 12 lower-case hex characters, public. */
  id: string;
  /** 32 random bytes, base64url without padding (43 characters). */
  secret: string;
  /** `cars_<id>_<secret>`. */
  key: string;
}

/** What {@link verifyApiKey} concludes about a presented key. */
export type ApiKeyVerification =
  | { ok: true; key: ApiKeyRecord }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

const PREFIX = 'cars_';
const ID_BYTES = 6;
const SECRET_BYTES = 32;
const ID_LENGTH = ID_BYTES * 2;
const SECRET_LENGTH = Math.ceil((SECRET_BYTES * 4) / 3);
/** The exact length of every key's text. */
export const API_KEY_LENGTH = PREFIX.length + ID_LENGTH + 1 + SECRET_LENGTH;
const KEY_FORMAT = new RegExp(`^${PREFIX}([0-9a-f]{${ID_LENGTH}})_([A-Za-z0-9_-]{${SECRET_LENGTH}})$`);

// Compared against when no key has the presented id, so an unknown id costs the same hash
// comparison as a known one. It is not the hash of any secret anyone holds.
const DUMMY_HASH = createHash('sha256').update('cars-api: no key has this id').digest();

/** Makes a new random key. */
export function generateApiKey(): GeneratedApiKey {
  const id = randomBytes(ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, secret, key: `${PREFIX}${id}_${secret}` };
}

/** The hex SHA-256 of a key's secret part, as stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Splits a key's text into id and secret, or `undefined` unless it is exactly in the format generateApiKey makes. */
export function parseApiKey(text: string): { id: string; secret: string } | undefined {
  // The length check first bounds the work done on arbitrary input from a request header.
  if (typeof text !== 'string' || text.length !== API_KEY_LENGTH) return undefined;
  const match = KEY_FORMAT.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const [, id, secret] = match;
  // The last character carries 2 padding bits, which must be zero in the encoding of 32 bytes.
  if (Buffer.from(secret, 'base64url').toString('base64url') !== secret) return undefined;
  return { id, secret };
}

/**
 * Checks a presented key against the store. A wrong secret for a real id answers `unknown`,
 * like an id that does not exist, and `revoked` is told only to someone holding the secret.
 */
export async function verifyApiKey(store: ApiKeyStore, text: string): Promise<ApiKeyVerification> {
  const parsed = parseApiKey(text);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const record = await store.findApiKey(parsed.id);
  const presented = Buffer.from(hashSecret(parsed.secret), 'hex');
  const stored = record ? Buffer.from(record.secretHash, 'hex') : DUMMY_HASH;
  // timingSafeEqual throws on a length mismatch; a corrupt stored hash then meets the dummy.
  const expected = stored.length === presented.length ? stored : DUMMY_HASH;
  const matches = timingSafeEqual(presented, expected) && expected !== DUMMY_HASH;
  if (!record || !matches) return { ok: false, reason: 'unknown' };
  if (record.revokedAt !== undefined) return { ok: false, reason: 'revoked' };
  return { ok: true, key: record };
}

/** True for a scope name in SCOPES. */
export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
