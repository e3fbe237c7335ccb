import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { MAIN, startServerProcess } from '../support/process.js';
import { request } from '../support/server.js';

/** Runs the entry point to completion and returns its exit code and output. */
function runMain(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: 'sqlite::memory:', ...env },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('safe defaults at start-up', () => {
  it('refuses to start with AUTH=off on a non-loopback address', async () => {
    const { code, output } = await runMain({ HOST: '0.0.0.0', AUTH: 'off' });
    assert.equal(code, 2);
    assert.match(output, /refusing to serve 0\.0\.0\.0 with AUTH=off/);
  });

  it('starts with AUTH=off on a public address only with --insecure-no-auth, and warns', async () => {
    const server = await startServerProcess({ env: { HOST: '0.0.0.0', AUTH: 'off', DATABASE_URL: 'sqlite::memory:' }, args: ['--insecure-no-auth'] });
    try {
      const port = new URL(server.url).port;
      assert.equal((await request(`http://127.0.0.1:${port}`, 'GET', '/cars')).status, 200);
      assert.match(server.output(), /authentication is OFF/);
    } finally {
      await server.stop();
    }
  });

  it('requires credentials by default on a public address', async () => {
    const server = await startServerProcess({ env: { HOST: '0.0.0.0', DATABASE_URL: 'sqlite::memory:' } });
    try {
      const port = new URL(server.url).port;
      const res = await request(`http://127.0.0.1:${port}`, 'GET', '/cars');
      assert.equal(res.status, 401);
    } finally {
      await server.stop();
    }
  });

  it('runs without authentication on loopback with no keys, saying so in one warning', async () => {
    const server = await startServerProcess({ env: { DATABASE_URL: 'sqlite::memory:' } });
    try {
      assert.equal((await request(server.url, 'GET', '/cars')).status, 200);
      assert.equal(server.output().match(/authentication is OFF/g)?.length, 1);
    } finally {
      await server.stop();
    }
  });

  it('stops with a clear message and exit code 2 for a bad setting', async () => {
    const { code, output } = await runMain({ AUTH: 'maybe' });
    assert.equal(code, 2);
    assert.match(output, /AUTH must be required, off or auto, got "maybe"/);
  });
});
