import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiKey, hashSecret } from '../../src/auth/api-keys.js';
import type { Scope } from '../../src/store/api-key-store.js';
import { openStore } from '../../src/store/open-store.js';
import { useServer } from '../support/server.js';

describe('authentication and scopes', () => {
  const keys: Record<'full' | 'readOnly' | 'writeOnly' | 'revoked', string> = { full: '', readOnly: '', writeOnly: '', revoked: '' };

  const server = useServer(async () => {
    const store = await openStore('sqlite::memory:');
    const make = async (name: string, scopes: Scope[]) => {
      const { id, secret, key } = generateApiKey();
      await store.createApiKey({ id, name, scopes, secretHash: hashSecret(secret) });
      return { id, key };
    };
    keys.full = (await make('full', ['cars:read', 'cars:write'])).key;
    keys.readOnly = (await make('read', ['cars:read'])).key;
    keys.writeOnly = (await make('write', ['cars:write'])).key;
    const revoked = await make('revoked', ['cars:read', 'cars:write']);
    await store.revokeApiKey(revoked.id);
    keys.revoked = revoked.key;
    return { store, auth: { keys: store } };
  }, async (s) => {
    const seeded = await s.request('PUT', '/cars/1', { json: { model: 'Honda', color: 'White' }, headers: { 'X-API-Key': keys.full } });
    assert.equal(seeded.status, 201);
  });

  const writes = [
    ['POST', '/cars', { json: { id: 2, model: 'Ford', color: 'Black' } }],
    ['PUT', '/cars/1', { json: { model: 'Hacked', color: 'Red' } }],
    ['PATCH', '/cars/1', { body: '{"color":"Red"}', headers: { 'Content-Type': 'application/merge-patch+json' } }],
    ['DELETE', '/cars/1', {}],
  ] as const;

  /** The refused writes above changed nothing: car 1 as seeded, and no car 2. */
  async function storeUnchanged(): Promise<void> {
    const one = await server.request('GET', '/cars/1', { headers: { 'X-API-Key': keys.full } });
    assert.deepEqual(one.json, { id: 1, model: 'Honda', color: 'White' });
    assert.equal((await server.request('GET', '/cars/2', { headers: { 'X-API-Key': keys.full } })).status, 404);
  }

  it('answers 401 with WWW-Authenticate to writes without credentials, and changes nothing', async () => {
    for (const [method, path, options] of writes) {
      const res = await server.request(method, path, options);
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.match(res.headers.get('www-authenticate') ?? '', /Bearer realm="cars-api"/);
    }
    await storeUnchanged();
  });

  it('answers 401 to writes with a revoked key or a made-up key, and changes nothing', async () => {
    for (const key of [keys.revoked, 'cars_000000000000_' + 'A'.repeat(43), 'garbage']) {
      for (const [method, path, options] of writes) {
        const headers = { ...('headers' in options ? options.headers : {}), 'X-API-Key': key };
        const res = await server.request(method, path, { ...options, headers });
        assert.equal(res.status, 401, `${method} ${path} with ${key.slice(0, 8)}`);
      }
    }
    await storeUnchanged();
  });

  it('answers 403 to writes with a read-only key, and changes nothing', async () => {
    for (const [method, path, options] of writes) {
      const headers = { ...('headers' in options ? options.headers : {}), 'X-API-Key': keys.readOnly };
      const res = await server.request(method, path, { ...options, headers });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.match(res.json.detail, /cars:write/);
    }
    await storeUnchanged();
  });

  it('answers 403 to reads with a write-only key', async () => {
    const res = await server.request('GET', '/cars/1', { headers: { 'X-API-Key': keys.writeOnly } });
    assert.equal(res.status, 403);
  });

  it('accepts the key as X-API-Key or as a Bearer token', async () => {
    assert.equal((await server.request('GET', '/cars/1', { headers: { 'X-API-Key': keys.readOnly } })).status, 200);
    assert.equal((await server.request('GET', '/cars/1', { headers: { Authorization: `Bearer ${keys.readOnly}` } })).status, 200);
    const wrongScheme = await server.request('GET', '/cars/1', { headers: { Authorization: `Basic ${keys.readOnly}` } });
    assert.equal(wrongScheme.status, 401);
  });

  it('lets a full key write', async () => {
    // A car of its own, so the refused-write tests still find car 1 as seeded.
    const put = await server.request('PUT', '/cars/9', { json: { model: 'Audi', color: 'Black' }, headers: { 'X-API-Key': keys.full } });
    assert.equal(put.status, 201);
    const res = await server.request('PATCH', '/cars/9', {
      body: '{"color":"Silver"}',
      headers: { 'Content-Type': 'application/merge-patch+json', 'X-API-Key': keys.full },
    });
    assert.equal(res.status, 200);
    assert.equal(res.json.color, 'Silver');
  });

  it('keeps health checks and the contract public', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json']) {
      assert.equal((await server.request('GET', path)).status, 200, path);
    }
  });
});
