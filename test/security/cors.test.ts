import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../support/server.js';

describe('CORS', () => {
  it('is off by default: no Access-Control-* headers for any origin', async () => {
    const server = await startServer();
    try {
      const res = await fetch(`${server.url}/cars`, { headers: { Origin: 'https://app.example.com' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), null);
    } finally {
      await server.close();
    }
  });

  it('answers allowed origins only, including preflights', async () => {
    const server = await startServer({ corsOrigins: ['https://app.example.com'] });
    try {
      const allowed = await fetch(`${server.url}/cars`, { headers: { Origin: 'https://app.example.com' } });
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
      assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /ETag/);

      const other = await fetch(`${server.url}/cars`, { headers: { Origin: 'https://evil.example.net' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);

      const preflight = await fetch(`${server.url}/cars/1`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'if-match, x-api-key' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example.com');
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /PUT/);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-API-Key/i);
    } finally {
      await server.close();
    }
  });
});
