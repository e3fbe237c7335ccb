import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Koa from 'koa';
import { toHttpProblem } from '../errors.js';
import { createBodyReader } from './body.js';

describe('createBodyReader', () => {
  const read = createBodyReader({ limit: 64, mediaTypes: ['application/json', 'application/merge-patch+json'] });
  const koa = new Koa();
  // Echoes what the reader read, or the problem it threw, as { status, body | type }.
  koa.use(async (ctx) => {
    try {
      const body = await read(ctx, ['application/json']);
      ctx.body = { status: 200, body: body === undefined ? 'none' : body };
    } catch (err) {
      const problem = toHttpProblem(err);
      ctx.body = { status: problem.status, type: problem.type, errors: problem.errors };
    }
  });
  // A raw server around the reader alone, not useServer()'s whole app: the reader is the unit under test.
  const server = createServer(koa.callback());
  let url = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const send = async (body: string | Buffer | undefined, contentType?: string) => {
    const headers: Record<string, string> = contentType === undefined ? {} : { 'Content-Type': contentType };
    const res = await fetch(url, { method: 'POST', headers, body });
    return (await res.json()) as { status: number; body?: unknown; type?: string; errors?: unknown };
  };

  it('reads a JSON body', async () => {
    assert.deepEqual(await send('{"a":[1,"é"]}', 'application/json'), { status: 200, body: { a: [1, 'é'] } });
  });

  it('reads no body as undefined', async () => {
    assert.deepEqual(await send(undefined), { status: 200, body: 'none' });
  });

  it('answers 415 for a media type the operation does not take, or a charset other than UTF-8', async () => {
    assert.equal((await send('{}', 'text/plain')).status, 415);
    assert.equal((await send('{}', 'application/merge-patch+json')).status, 415);
    assert.equal((await send('{}', 'application/json; charset=latin1')).status, 415);
    assert.equal((await send('{}')).status, 415);
  });

  it('answers 413 above the limit', async () => {
    assert.equal((await send(JSON.stringify({ a: 'x'.repeat(100) }), 'application/json')).status, 413);
  });

  it('answers 400 malformed-json for broken JSON or bytes that are not UTF-8', async () => {
    for (const body of ['{"a":', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])]) {
      assert.equal((await send(body, 'application/json')).type, 'urn:cars-api:problem:malformed-json', String(body));
    }
  });

  it('answers 400 with a pointer for a lone surrogate', async () => {
    const answer = await send('{"a":{"b":"\\ud800"}}', 'application/json');
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.errors, [{ pointer: '/a/b', message: 'contains a lone surrogate, which is not Unicode text' }]);
  });
});
