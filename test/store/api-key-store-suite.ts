/** The behaviour every ApiKeyStore engine must show; each engine's test file runs it with its own factory. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiKeyRecord, ApiKeyStore, Scope } from '../../src/store/api-key-store.js';
import { freshStorePerTest, type StoreFactory } from './store-fixture.js';

const hash = (n: number) => n.toString(16).padStart(64, '0');
const newKey = (id: string, scopes: Scope[] = ['cars:read'], name = `key ${id}`) => ({ id, name, scopes, secretHash: hash(id.length) });

/** Registers the shared ApiKeyStore tests; every test gets its own store from `factory`. */
export function describeApiKeyStore(factory: StoreFactory): void {
  describe('API keys', () => {
    let store: ApiKeyStore;
    freshStorePerTest(factory, (fresh) => (store = fresh));

    it('creates a key and finds it by id, as it was stored', async () => {
      const before = Date.now();
      const created = await store.createApiKey({ id: 'a1b2c3d4e5f6', name: 'ci', scopes: ['cars:read', 'cars:write'], secretHash: hash(7) });
      assert.deepEqual(created, {
        id: 'a1b2c3d4e5f6',
        name: 'ci',
        scopes: ['cars:read', 'cars:write'],
        secretHash: hash(7),
        createdAt: created.createdAt,
      });
      assert.equal(new Date(created.createdAt).toISOString(), created.createdAt);
      // Within a generous window: PostgreSQL's clock is the server's, not ours.
      assert.ok(Math.abs(Date.parse(created.createdAt) - before) < 60_000, created.createdAt);
      assert.equal('revokedAt' in created, false);
      assert.deepEqual(await store.findApiKey('a1b2c3d4e5f6'), created);
    });

    it('answers undefined for an id no key has', async () => {
      await store.createApiKey(newKey('aaaaaaaaaaaa'));
      assert.equal(await store.findApiKey('bbbbbbbbbbbb'), undefined);
      assert.equal(await store.findApiKey(''), undefined);
      // Ids match exactly, not ignoring case.
      assert.equal(await store.findApiKey('AAAAAAAAAAAA'), undefined);
    });

    it('keeps each set of scopes as given, in order', async () => {
      const sets: Scope[][] = [[], ['cars:read'], ['cars:write'], ['cars:write', 'cars:read']];
      for (const [i, scopes] of sets.entries()) await store.createApiKey(newKey(`scopes${i}`, scopes));
      for (const [i, scopes] of sets.entries()) assert.deepEqual((await store.findApiKey(`scopes${i}`))?.scopes, scopes);
    });

    it('keeps names as given, Unicode included', async () => {
      await store.createApiKey(newKey('named', ['cars:read'], 'Zoë’s “CI” key 🚗'));
      assert.equal((await store.findApiKey('named'))?.name, 'Zoë’s “CI” key 🚗');
    });

    it('rejects a second key with an id already taken, and keeps the first', async () => {
      const first = await store.createApiKey(newKey('dup', ['cars:read'], 'first'));
      await assert.rejects(store.createApiKey(newKey('dup', ['cars:write'], 'second')));
      assert.deepEqual(await store.findApiKey('dup'), first);
      assert.deepEqual(await store.listApiKeys(), [first]);
    });

    it('lists every key oldest first, revoked ones included', async () => {
      assert.deepEqual(await store.listApiKeys(), []);
      // Ids out of alphabetical order, created faster than a clock tick apart.
      const ids = ['m', 'z', 'a', 'q', 'b'];
      const created: ApiKeyRecord[] = [];
      for (const id of ids) created.push(await store.createApiKey(newKey(id)));
      assert.ok(await store.revokeApiKey('a'));
      const listed = await store.listApiKeys();
      assert.deepEqual(
        listed.map((k) => k.id),
        ids,
      );
      assert.deepEqual(listed[0], created[0]);
      assert.ok(listed[2]?.revokedAt !== undefined);
    });

    it('revokes a key once: true, then false; false for an unknown id', async () => {
      await store.createApiKey(newKey('rev'));
      assert.equal(await store.revokeApiKey('rev'), true);
      const revoked = await store.findApiKey('rev');
      assert.equal(await store.revokeApiKey('rev'), false);
      // The second call does not move the revocation time.
      assert.deepEqual(await store.findApiKey('rev'), revoked);
      assert.equal(await store.revokeApiKey('nope'), false);
    });

    it('still finds a revoked key, with revokedAt set and everything else unchanged', async () => {
      const created = await store.createApiKey(newKey('gone', ['cars:write']));
      await store.revokeApiKey('gone');
      const found = await store.findApiKey('gone');
      assert.ok(found?.revokedAt !== undefined);
      assert.equal(new Date(found.revokedAt).toISOString(), found.revokedAt);
      assert.ok(Date.parse(found.revokedAt) >= Date.parse(created.createdAt));
      assert.deepEqual(found, { ...created, revokedAt: found.revokedAt });
    });

    it('counts the keys that are not revoked', async () => {
      assert.equal(await store.countActiveApiKeys(), 0);
      for (const id of ['k1', 'k2', 'k3']) await store.createApiKey(newKey(id));
      assert.equal(await store.countActiveApiKeys(), 3);
      await store.revokeApiKey('k2');
      assert.equal(await store.countActiveApiKeys(), 2);
      await store.revokeApiKey('k2');
      await store.revokeApiKey('missing');
      assert.equal(await store.countActiveApiKeys(), 2);
    });
  });
}
