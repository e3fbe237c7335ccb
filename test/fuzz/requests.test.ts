import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Answer } from '../support/server.js';
import { curl, type HttpRequest } from './curl.js';
import { fuzzParameters } from './fuzz-config.js';
import { confine, openFuzzTarget, type FuzzTarget } from './fuzz-target.js';
import { requestArbitraries, type FuzzRequest } from './request-arbitraries.js';
import { schemaArbitraries } from './schema-arbitraries.js';
import { specOperations, takesInput } from './spec-operations.js';

/** Sends a request through the harness, which checks the status and body against the spec; any failure names the curl to reproduce it. */
async function send(server: FuzzTarget, request: HttpRequest): Promise<Answer> {
  try {
    return await server.request(request.method, request.path, { headers: { ...request.headers }, ...(request.body !== undefined ? { body: request.body } : {}) });
  } catch (error) {
    (error as Error).message += `\nreproduce with:\n  ${curl(request)}`;
    throw error;
  }
}

function explain(request: HttpRequest, answer: Answer, expected: string): string {
  return `expected ${expected}, got ${answer.status} ${answer.text.slice(0, 300)}\nreproduce with:\n  ${curl(request)}`;
}

/** After a successful write, a read of the written resource gives what the write answered; after a delete, 404. */
async function assertWriteVisible(server: FuzzTarget, request: FuzzRequest, answer: Answer): Promise<void> {
  if (answer.status >= 300) return;
  // A request with an Idempotency-Key may replay an earlier answer, by design; that is idempotency.test.ts's subject.
  if (Object.keys(request.headers).some((h) => h.toLowerCase() === 'idempotency-key')) return;
  const resource = answer.headers.get('location') ?? request.path.split('?')[0] ?? request.path;
  const read: HttpRequest = { method: 'GET', path: resource, headers: {} };
  if (request.method === 'DELETE') {
    const after = await send(server, read);
    assert.equal(after.status, 404, explain(request, after, `404 from GET ${resource} after the delete`) + `\n  ${curl(read)}`);
  } else if (['POST', 'PUT', 'PATCH'].includes(request.method) && answer.json !== undefined) {
    const after = await send(server, read);
    const message = `GET ${resource} after ${request.method} answered ${after.status} ${after.text}, the write answered ${answer.text}\nreproduce with:\n  ${curl(request)}\n  ${curl(read)}`;
    assert.equal(after.status, 200, message);
    assert.deepEqual(after.json, answer.json, message);
    const [written, read_] = [answer.headers.get('etag'), after.headers.get('etag')];
    if (written !== null && read_ !== null) assert.equal(read_, written, `ETag differs: ${message}`);
  }
}

describe('requests generated from the spec', () => {
  let server: FuzzTarget;
  let requests: ReturnType<typeof requestArbitraries>;
  before(async () => {
    server = await openFuzzTarget();
    // A deployed instance gets only reads with --read-only, and writes only to the ids the run reserved.
    const operations = (await specOperations()).filter(takesInput).filter((op) => !server.readOnly || op.method === 'GET');
    const { valid, invalid } = requestArbitraries(operations, schemaArbitraries());
    requests = { valid: valid.map((r) => confine(server, r)), invalid: invalid.map((r) => confine(server, r)) };
  });
  after(() => server.close());

  it('answers valid requests with a documented status and body, never a 5xx, and later reads see the writes', async () => {
    await fc.assert(
      fc.asyncProperty(requests.valid, async (request) => {
        const answer = await send(server, request);
        assert.ok(answer.status < 500, explain(request, answer, 'no 5xx'));
        await assertWriteVisible(server, request, answer);
      }),
      fuzzParameters(0.45),
    );
  });

  it('answers invalid requests with a documented 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(requests.invalid, async (request) => {
        const answer = await send(server, request);
        assert.ok(answer.status >= 400 && answer.status < 500, explain(request, answer, `a 4xx for a request with one defect (${request.defect})`));
      }),
      fuzzParameters(0.45),
    );
  });
});
