import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Document } from 'openapi-backend';
import { createApp } from './app.js';
import { loadSpec } from './spec.js';
import { openStore } from './store/open-store.js';

describe('createApp: openapi-backend holds one handler per operation', () => {
  const storePromise = openStore('sqlite::memory:');
  after(async () => (await storePromise).close());

  it('refuses to start when an operation of the spec has no handler, naming it', async () => {
    const spec = structuredClone(loadSpec()) as Document & { paths: Record<string, unknown> };
    spec.paths['/trucks'] = {
      get: { operationId: 'listTrucks', summary: 'Trucks', responses: { '204': { description: 'none' } } },
    };
    await assert.rejects(createApp({ store: await storePromise, spec }), /No handler registered for operationId listTrucks/);
  });

  it('refuses to start when a handler is registered under an operationId the spec lacks, naming it', async () => {
    const spec = structuredClone(loadSpec()) as Document & { paths: Record<string, Record<string, unknown>> };
    delete spec.paths['/cars/{carId}']?.delete;
    await assert.rejects(createApp({ store: await storePromise, spec }), /Unknown operationId deleteCar/);
  });

  it('starts and serves when every operation has exactly one handler', async () => {
    const app = await createApp({ store: await storePromise });
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
      assert.deepEqual([response.status, await response.json()], [200, { status: 'ok' }]);
    } finally {
      server.close();
    }
  });
});
