/** Unit tests of API key generation, parsing, hashing and verification, against a real in-memory store. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { API_KEY_LENGTH, generateApiKey, hashSecret, parseApiKey, verifyApiKey } from '../../src/auth/api-keys.js';
import type { Scope } from '../../src/store/api-key-store.js';
import type { MigratedStore } from '../../src/store/migration.js';
import { openStore } from '../../src/store/open-store.js';

describe('generateApiKey', () => {
  it('makes cars_<12 hex id>_<43 char base64url secret of 32 bytes>', () => {
    const { id, secret, key } = generateApiKey();
    assert.match(id, /^[0-9a-f]{12}$/);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    assert.equal(key, `cars_${id}_${secret}`);
    assert.equal(key.length, API_KEY_LENGTH);
  });

  it('makes a different key every time, and each parses back to its parts', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    assert.equal(new Set(keys.map((k) => k.id)).size, keys.length);
    assert.equal(new Set(keys.map((k) => k.secret)).size, keys.length);
    for (const { id, secret, key } of keys) assert.deepEqual(parseApiKey(key), { id, secret });
  });
});

describe('parseApiKey', () => {
  const { id, secret, key } = generateApiKey();

  it('accepts a secret that itself contains _ and -', () => {
    const tricky = `_-${secret.slice(2, 42)}A`;
    assert.deepEqual(parseApiKey(`cars_${id}_${tricky}`), { id, secret: tricky });
  });

  const malformed: [string, string][] = [
    ['an empty string', ''],
    ['another prefix', `keys_${id}_${secret}`],
    ['an upper-case prefix', `CARS_${id}_${secret}`],
    ['an upper-case id', `cars_${id.toUpperCase().replace(/[0-9]/g, 'A')}_${secret}`],
    ['a short id', `cars_${id.slice(1)}_${secret}x`],
    ['a non-hex id', `cars_${'g'.repeat(12)}_${secret}`],
    ['a short secret', `cars_${id}_${secret.slice(1)}`],
    ['a long secret', `cars_${id}_${secret}A`],
    ['padding', `cars_${id}_${secret.slice(0, 42)}=`],
    ['a character outside base64url', `cars_${id}_${secret.slice(0, 21)}+${secret.slice(22)}`],
    ['a non-canonical last character', `cars_${id}_${secret.slice(0, 42)}B`],
    ['a trailing newline', `${key}\n`],
    ['a leading space', ` ${key}`],
    ['a missing separator', `cars_${id}${secret}`],
    ['a megabyte of text', `${key}${'A'.repeat(1 << 20)}`],
  ];
  for (const [what, text] of malformed) {
    it(`rejects ${what}`, () => {
      assert.equal(parseApiKey(text), undefined);
    });
  }
});

describe('hashSecret', () => {
  it('is the lower-case hex SHA-256 of the secret', () => {
    // FIPS 180-2 test vector.
    assert.equal(hashSecret('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const { secret } = generateApiKey();
    assert.match(hashSecret(secret), /^[0-9a-f]{64}$/);
    assert.equal(hashSecret(secret), hashSecret(secret));
  });
});

describe('verifyApiKey', () => {
  let store: MigratedStore;
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  const stored = async (scopes: Scope[] = ['cars:read']) => {
    const generated = generateApiKey();
    const record = await store.createApiKey({ id: generated.id, name: 'test', scopes, secretHash: hashSecret(generated.secret) });
    return { ...generated, record };
  };

  it('accepts a stored key and answers its record', async () => {
    const { key, record } = await stored(['cars:read', 'cars:write']);
    assert.deepEqual(await verifyApiKey(store, key), { ok: true, key: record });
  });

  it('answers malformed for text not in the key format, without asking the store', async () => {
    const { key } = await stored();
    const counting: typeof store = { ...store, findApiKey: () => assert.fail('findApiKey called') };
    for (const text of ['', 'nonsense', key.slice(0, -1), `Bearer ${key}`]) {
      assert.deepEqual(await verifyApiKey(counting, text), { ok: false, reason: 'malformed' });
    }
  });

  it('answers unknown for a well-formed key whose id no key has', async () => {
    await stored();
    assert.deepEqual(await verifyApiKey(store, generateApiKey().key), { ok: false, reason: 'unknown' });
  });

  it('answers unknown for the right id with the wrong secret', async () => {
    const { id } = await stored();
    assert.deepEqual(await verifyApiKey(store, `cars_${id}_${generateApiKey().secret}`), { ok: false, reason: 'unknown' });
  });

  it('answers revoked for a revoked key, but unknown for its id with the wrong secret', async () => {
    const { id, key } = await stored();
    assert.equal(await store.revokeApiKey(id), true);
    assert.deepEqual(await verifyApiKey(store, key), { ok: false, reason: 'revoked' });
    assert.deepEqual(await verifyApiKey(store, `cars_${id}_${generateApiKey().secret}`), { ok: false, reason: 'unknown' });
  });

  it('answers unknown, without throwing, when the stored hash is not 32 bytes of hex', async () => {
    const { id, secret } = generateApiKey();
    await store.createApiKey({ id, name: 'corrupt', scopes: ['cars:read'], secretHash: 'abc' });
    assert.deepEqual(await verifyApiKey(store, `cars_${id}_${secret}`), { ok: false, reason: 'unknown' });
  });
});
