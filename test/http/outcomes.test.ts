/**
 * Every outcome the app shell can give an operation, besides what its handler returns (which the
 * handler types already limit to documented statuses), is documented for that operation:
 * `request()` fails on any status the operation's responses do not list. Each case also checks
 * that the outcome really happened, so the enumeration cannot pass by answering 200.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiKey, hashSecret } from '../../src/auth/api-keys.js';
import type { CarStore } from '../../src/store/car-store.js';
import type { MigratedStore } from '../../src/store/migration.js';
import { openStore } from '../../src/store/open-store.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';
import { specContract, useServer, type RequestOptions } from '../support/server.js';

const contract = await specContract();
const CAR_METHODS = ['list', 'get', 'insert', 'put', 'update', 'delete', 'ping'] as const satisfies readonly (keyof CarStore)[];

/** A store whose every car call fails as an unreachable database does; API keys still work. */
async function downStore(): Promise<MigratedStore> {
  const store = await openStore('sqlite::memory:');
  const down = async () => {
    throw new StoreUnavailableError('the database is down', { retryAfterSeconds: 2 });
  };
  return new Proxy(store, {
    get: (target, name, receiver) =>
      (CAR_METHODS as readonly (string | symbol)[]).includes(name) ? down : Reflect.get(target, name, receiver),
  });
}

/** A valid request for an operation: its path with carId 1, and a body of the media type it takes. */
function validRequest(op: (typeof contract.operations)[number]): { path: string; options: RequestOptions } {
  const path = op.path.replace('{carId}', '1');
  const [type] = op.bodyTypes;
  if (type === undefined) return { path, options: {} };
  const body = type === 'application/json' ? { model: 'Ford', color: 'Black' } : { color: 'Blue' };
  return { path, options: { body: JSON.stringify(body), headers: { 'Content-Type': type } } };
}

/** The statuses an operation documents. */
function documented(operationId: string): string[] {
  return Object.keys(contract.api.router.getOperation(operationId)?.responses ?? {});
}

/** Whether an operation's success answers are JSON (else `request()`, which checks JSON success bodies, does not apply). */
function answersJson(operationId: string): boolean {
  const responses = (contract.api.router.getOperation(operationId)?.responses ?? {}) as Record<string, { content?: object }>;
  return Object.values(responses).every((r) => r.content === undefined || 'application/json' in r.content || 'application/problem+json' in r.content);
}

const secured = contract.operations.filter((op) => op.security.length > 0);
const withBody = contract.operations.filter((op) => op.bodyTypes.length > 0);
const withPathParams = contract.operations.filter((op) => op.path.includes('{'));

describe('outcomes the app shell adds to a handler\'s', () => {
  describe('with the store down', () => {
    const server = useServer(async () => ({ store: await downStore() }));
    for (const op of contract.operations) {
      it(`${op.operationId}: answers 503 with Retry-After when it needs the store, and a documented status either way`, async () => {
        const { path, options } = validRequest(op);
        let status: number;
        if (answersJson(op.operationId)) {
          const answer = await server.request(op.method, path, options);
          status = answer.status;
          if (status === 503) assert.equal(answer.headers.get('retry-after'), '2');
        } else {
          // Raw bodies (docs, YAML, metrics): only the status is checked against the spec here.
          status = (await fetch(server.url + path)).status;
          assert.ok(documented(op.operationId).includes(String(status)), `${status} is documented`);
        }
        assert.ok(status === 503 || status < 300, `${status}: only answers that need no store succeed`);
      });
    }
  });

  describe('with authentication and a rate limit of one request', () => {
    const keys = { read: generateApiKey(), write: generateApiKey() };
    const server = useServer(async () => {
      const store = await openStore('sqlite::memory:');
      for (const [scope, key] of [['cars:read', keys.read], ['cars:write', keys.write]] as const) {
        await store.createApiKey({ id: key.id, name: scope, scopes: [scope], secretHash: hashSecret(key.secret) });
      }
      return { store, auth: { keys: store }, rateLimit: { ratePerSecond: 0.001, burst: 1 } };
    });
    for (const op of secured) {
      it(`${op.operationId}: 401 without credentials, 403 with a key lacking ${op.scopes.join(', ')}, 429 once the bucket is empty`, async () => {
        const { path, options } = validRequest(op);
        assert.equal((await server.request(op.method, path, options)).status, 401);
        const other = op.scopes.includes('cars:write') ? keys.read : keys.write;
        const headers = { ...options.headers, 'X-API-Key': other.key };
        assert.equal((await server.request(op.method, path, { ...options, headers })).status, 403);
        // The first request of this operation's own client address is allowed; a key makes its own bucket.
        const own = { ...options.headers, Authorization: `Bearer ${(op.scopes.includes('cars:write') ? keys.write : keys.read).key}` };
        await server.request(op.method, path, { ...options, headers: own });
        const limited = await server.request(op.method, path, { ...options, headers: own });
        assert.equal(limited.status, 429);
      });
    }
  });

  describe('with a 16-byte body limit', () => {
    const server = useServer({ bodyLimit: 16 });
    for (const op of withBody) {
      it(`${op.operationId}: 413 for a larger body, 415 for another media type, 400 for broken JSON`, async () => {
        const { path, options } = validRequest(op);
        const type = op.bodyTypes[0] ?? '';
        assert.equal((await server.request(op.method, path, { body: JSON.stringify({ model: 'x'.repeat(32) }), headers: { 'Content-Type': type } })).status, 413);
        assert.equal((await server.request(op.method, path, { ...options, headers: { 'Content-Type': 'text/plain' } })).status, 415);
        assert.equal((await server.request(op.method, path, { body: '{', headers: { 'Content-Type': type } })).status, 400);
      });
    }
  });

  describe('with bad path parameters', () => {
    const server = useServer();
    for (const op of withPathParams) {
      it(`${op.operationId}: 400 for a carId that is not a positive integer`, async () => {
        const { options } = validRequest(op);
        assert.equal((await server.request(op.method, op.path.replace('{carId}', 'abc'), options)).status, 400);
      });
    }
  });
});
