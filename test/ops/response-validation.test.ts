import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { CarStore } from '../../src/store/car-store.js';
import { openStore } from '../../src/store/open-store.js';
import { startServer } from '../support/server.js';

/** A store that answers a car the spec does not allow (an empty model), as a bug would. */
async function brokenStore(): Promise<CarStore> {
  const store = await openStore('sqlite::memory:');
  return Object.assign(Object.create(store) as CarStore, {
    get: async (id: number) => ({ id, model: '', color: 'White', revision: 1 }),
  });
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('response validation (VALIDATE_RESPONSES)', () => {
  it('fails loudly in development and tests: a 500 problem, logged with the operation and the pointer', async () => {
    const { lines, logger } = capture();
    const server = await startServer({ store: await brokenStore(), logger, validateResponses: 'fail' });
    try {
      const res = await fetch(`${server.url}/cars/1`);
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.doesNotMatch(await res.text(), /White/);
      const logged = lines.find((l) => l.operationId === 'getCar' && l.status === 200 && Array.isArray(l.errors));
      assert.ok(logged, JSON.stringify(lines));
      assert.match(String(logged.msg), /getCar \(200\) does not match the spec at \/model/);
    } finally {
      await server.close();
    }
  });

  it('only logs in production mode', async () => {
    const { lines, logger } = capture();
    const server = await startServer({ store: await brokenStore(), logger, validateResponses: 'log' });
    try {
      const res = await fetch(`${server.url}/cars/1`);
      assert.equal(res.status, 200);
      assert.ok(lines.some((l) => l.operationId === 'getCar' && Array.isArray(l.errors)));
    } finally {
      await server.close();
    }
  });
});
