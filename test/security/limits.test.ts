import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { request, startServer } from '../support/server.js';

describe('resource limits', () => {
  it('answers 413 problem above BODY_LIMIT and stores nothing', async () => {
    const server = await startServer({ bodyLimit: 200 });
    try {
      const res = await server.request('POST', '/cars', { json: { model: 'x'.repeat(100), color: 'y'.repeat(120) } });
      assert.equal(res.status, 413);
      assert.match(res.json.detail, /200 bytes/);
      assert.deepEqual((await server.request('GET', '/cars')).json, []);
    } finally {
      await server.close();
    }
  });

  it('answers 429 with Retry-After and RateLimit-* once the bucket is empty', async () => {
    const server = await startServer({ rateLimit: { ratePerSecond: 0.5, burst: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push(await server.request('GET', '/cars'));
      assert.deepEqual(statuses.map((r) => r.status), [200, 200, 200, 429]);
      const limited = statuses[3];
      assert.equal(limited?.headers.get('retry-after'), '2');
      assert.equal(limited?.headers.get('ratelimit-limit'), '3');
      assert.equal(limited?.headers.get('ratelimit-remaining'), '0');
      assert.equal(limited?.headers.get('ratelimit-reset'), '2');
      // Health checks are not rate limited, so a load balancer never sees 429.
      assert.equal((await server.request('GET', '/readyz')).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('slow clients (slowloris)', () => {
  let server: ServerProcess;
  const sockets: Socket[] = [];
  before(async () => {
    server = await startServerProcess({ env: { DATABASE_URL: 'sqlite::memory:' } });
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  });

  it('keeps serving normal requests while 200 idle half-open connections are held', async () => {
    const { port } = new URL(server.url);
    await Promise.all(
      Array.from({ length: 200 }, () => new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          // Headers that never end: the connection stays half-open until the server's timeout.
          socket.write('GET /cars HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
          resolve();
        });
        socket.on('error', () => {});
        socket.once('error', reject);
        sockets.push(socket);
      })),
    );
    for (let i = 0; i < 20; i++) {
      const res = await request(server.url, 'POST', '/cars', { json: { model: `Car ${i}`, color: 'Grey' } });
      assert.equal(res.status, 201);
    }
    const list = await request(server.url, 'GET', '/cars');
    assert.equal(list.json.length, 20);
    assert.ok(server.isRunning());
  });
});
