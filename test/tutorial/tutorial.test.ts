import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startServer, useServer } from '../support/server.js';

const here = new URL('.', import.meta.url);
const TUTORIAL_URL = 'http://localhost:8080';
// The server runs in this process, so the clients must run asynchronously.
const run = promisify(execFile);

/** The tutorial's curl commands, one per non-comment line, pointed at `url`. */
function curlCommands(url: string): string[][] {
  return readFileSync(new URL('curl-session.sh', here), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('curl '))
    .map((line) =>
      [...line.replaceAll(TUTORIAL_URL, url).matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? ''),
    );
}

/** Splits `curl -i` output into status and body (the last header block ends at the blank line). */
function parseCurl(output: string): { status: number; type: string | undefined; body: string } {
  const [head = '', ...rest] = output.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const type = /^content-type: (.*)$/im.exec(head)?.[1]?.trim();
  return { status, type, body: rest.join('\r\n\r\n') };
}

describe('the tutorial clients, unchanged', () => {
  const server = useServer();

  it('runs the curl session: 201, 201, 200, 200 Ford, 200, 204, 200 with one car', async () => {
    const commands = curlCommands(server.url);
    assert.equal(commands.length, 7);
    const results = [];
    for (const [, ...args] of commands) {
      const { stdout } = await run('curl', ['-s', ...args], { encoding: 'utf8', timeout: 10_000 });
      results.push(args.includes('-i') ? parseCurl(stdout) : { status: 0, type: undefined, body: stdout });
    }
    const [add1, add2, list, get2, put2, del2, listAgain] = results;
    assert.equal(add1?.status, 201);
    assert.equal(add2?.status, 201);
    assert.equal(list?.status, 200);
    assert.equal(list?.type, 'application/json');
    assert.equal(JSON.parse(list?.body ?? '').length, 2);
    assert.equal(get2?.status, 200);
    assert.deepEqual(JSON.parse(get2?.body ?? ''), { id: 2, model: 'Ford', color: 'Black' });
    assert.equal(put2?.status, 200);
    assert.deepEqual(JSON.parse(put2?.body ?? ''), { id: 2, model: 'New Ford', color: 'New Black' });
    assert.equal(del2?.body, '', 'DELETE answers 204 with no body');
    assert.equal(listAgain?.status, 200);
    assert.deepEqual(JSON.parse(listAgain?.body ?? ''), [{ id: 1, model: 'Honda', color: 'White' }]);
  });

  it('runs the Python requests client to the end', async (t) => {
    const probe = await run('python3', ['-c', 'import requests']).then(() => true, () => false);
    if (!probe) {
      if (process.env.CI) assert.fail('python3 with requests is needed in CI (.ci/run installs python3-requests)');
      t.skip('python3 with the requests module is not installed');
      return;
    }
    const other = await startServer();
    try {
      const source = readFileSync(new URL('client.py', here), 'utf8').replaceAll(TUTORIAL_URL, other.url);
      const { stdout } = await run('python3', ['-c', source], { encoding: 'utf8', timeout: 30_000 });
      assert.match(stdout, /1 Honda White/);
      assert.match(stdout, /2 Ford Black/);
      assert.match(stdout, /1 New Honda New Black/);
      assert.match(stdout, /Status code {2}: {2}201/);
      const final = await other.request('GET', '/cars');
      assert.deepEqual(final.json, [{ id: 2, model: 'Ford', color: 'Black' }]);
    } finally {
      await other.close();
    }
  });
});
