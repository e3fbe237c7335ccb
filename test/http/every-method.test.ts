/**
 * Every path in the spec × every method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, and methods
 * the API does not know, over a raw socket): the server answers only statuses documented for that
 * path, and every body validates against the documented response's schema.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { generateApiKey, hashSecret } from '../../src/auth/api-keys.js';
import { openStore } from '../../src/store/open-store.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { checkAgainstSpec, request, specContract, useServer, type Answer } from '../support/server.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** `FROB` is no HTTP method Node's parser knows; `PROPFIND` is one it knows (WebDAV) and the API does not use. */
const UNKNOWN_METHODS = ['FROB', 'PROPFIND'] as const;
/** Bodies sent with every method but GET and HEAD, besides none: a car as JSON, and a merge patch. */
const BODIES = [
  { type: 'application/json', text: '{"id":1,"model":"Honda","color":"White"}' },
  { type: 'application/merge-patch+json', text: '{"color":"Red"}' },
] as const;
/** The order `Allow` lists methods in (src/http/router.ts). */
const ALLOW_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A path of the spec: its operations by method, and a concrete URL made from the parameters' examples. */
interface PathUnderTest {
  template: string;
  url: string;
  operations: Map<string, { operationId: string; documented: Set<string> }>;
}

async function pathsUnderTest(): Promise<PathUnderTest[]> {
  const contract = await specContract();
  const byTemplate = new Map<string, PathUnderTest>();
  for (const op of contract.api.router.getOperations()) {
    const params = (op.parameters ?? []) as { in: string; name: string; example?: unknown; schema?: { example?: unknown } }[];
    let url = op.path;
    for (const p of params.filter((p) => p.in === 'path')) {
      const example = p.example ?? p.schema?.example;
      assert.notEqual(example, undefined, `${op.path}: path parameter ${p.name} has no example`);
      url = url.replace(`{${p.name}}`, encodeURIComponent(String(example)));
    }
    const entry = byTemplate.get(op.path) ?? { template: op.path, url, operations: new Map() };
    entry.operations.set(op.method.toUpperCase(), { operationId: op.operationId as string, documented: new Set(Object.keys(op.responses ?? {})) });
    byTemplate.set(op.path, entry);
  }
  return [...byTemplate.values()];
}

/** The methods `Allow` must list at a path. */
function allowedMethods(path: PathUnderTest): string[] {
  const methods = new Set([...path.operations.keys(), 'OPTIONS']);
  if (methods.has('GET')) methods.add('HEAD');
  return ALLOW_ORDER.filter((m) => methods.has(m));
}

/** Checks an answer given by the path rather than an operation (405, 400 before routing) against every operation there. */
async function assertPathAnswer(path: PathUnderTest, method: string, answer: Answer): Promise<void> {
  const contract = await specContract();
  const where = `${method} ${path.url} → ${answer.status}`;
  for (const { operationId, documented } of path.operations.values()) {
    assert.ok(documented.has(String(answer.status)), `${where}: ${operationId} does not document ${answer.status} (${[...documented].join(', ')})`);
    assert.equal(answer.headers.get('content-type'), 'application/problem+json', where);
    const result = contract.api.validateResponse(answer.json, operationId, answer.status);
    assert.ok(result.valid, `${where}: not ${operationId}'s ${answer.status}: ${JSON.stringify(result.errors)} body=${answer.text}`);
  }
  assert.equal(answer.json.status, answer.status, `${where}: problem.status`);
  if (answer.status === 405) assert.equal(answer.headers.get('allow'), allowedMethods(path).join(', '), `${where}: Allow`);
}

/** Sends one request line over a fresh socket and reads the whole answer (the server closes it). */
function rawRequest(baseUrl: string, method: string, path: string): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${method} ${path}: no answer within 10 s`));
    }, 10_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]);
      if (!status) return reject(new Error(`${method} ${path}: not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const headers = new Headers();
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      resolve({ status, headers, text: body, json: body === '' ? undefined : JSON.parse(body) });
    });
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
  });
}

/** Sends every method, with no body and with each body, to every path of the spec, and checks each answer. */
async function sweep(baseUrl: string, headers: Record<string, string> = {}): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const path of await pathsUnderTest()) {
    for (const method of METHODS) {
      // fetch sends no body with GET or HEAD.
      for (const body of method === 'GET' || method === 'HEAD' ? [undefined] : [undefined, ...BODIES]) {
        const options = body ? { body: body.text, headers: { ...headers, 'Content-Type': body.type } } : { headers };
        // request() checks a routed answer's status and body against its operation (HEAD: the GET operation).
        const answer = await request(baseUrl, method, path.url, options);
        const where = `${method} ${path.url}${body ? ` (${body.type})` : ''} → ${answer.status}`;
        seen.add(`${path.template} ${method} ${answer.status}`);
        const operation = path.operations.get(method) ?? (method === 'HEAD' ? path.operations.get('GET') : undefined);
        if (operation) {
          assert.ok(operation.documented.has(String(answer.status)), `${where}: not documented by ${operation.operationId}`);
        } else if (method === 'OPTIONS') {
          // The spec's conventions: OPTIONS answers 204 with Allow on every path.
          assert.equal(answer.status, 204, where);
          assert.equal(answer.headers.get('allow'), allowedMethods(path).join(', '), `${where}: Allow`);
        } else {
          assert.equal(answer.status, 405, where);
          await assertPathAnswer(path, method, answer);
        }
      }
    }
    for (const method of UNKNOWN_METHODS) {
      const answer = await rawRequest(baseUrl, method, path.url);
      seen.add(`${path.template} ${method} ${answer.status}`);
      await checkAgainstSpec(method, path.url, answer);
      await assertPathAnswer(path, method, answer);
    }
  }
  return seen;
}

describe('every path in the spec × every method', () => {
  let key = '';
  const open = useServer();
  const secured = useServer(async () => {
    const store = await openStore('sqlite::memory:');
    const generated = generateApiKey();
    await store.createApiKey({ id: generated.id, name: 'sweep', scopes: ['cars:read', 'cars:write'], secretHash: hashSecret(generated.secret) });
    key = generated.key;
    return { store, auth: { keys: store } };
  });
  // The compiled entry point as a process of its own (test/support/process.ts), not an in-process app.
  let entryPoint: ServerProcess;
  before(async () => {
    entryPoint = await startServerProcess({ env: { DATABASE_URL: 'sqlite::memory:', AUTH: 'required' } });
  });
  after(() => entryPoint?.stop());

  it('answers only documented statuses with valid bodies, authentication off', async () => {
    const seen = await sweep(open.url);
    // The sweep reached the operations, not only the router: these need a real store behind them.
    for (const expected of ['/cars POST 201', '/cars/{carId} PUT 200', '/cars/{carId} DELETE 204', '/cars/{carId} DELETE 404', '/readyz GET 200']) {
      assert.ok(seen.has(expected), `the sweep never got ${expected}: ${[...seen].join('; ')}`);
    }
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) assert.ok(seen.has(`/healthz ${method} 405`), `${method} /healthz`);
    assert.ok(seen.has('/metrics FROB 400') && seen.has('/metrics PROPFIND 405'), [...seen].join('; '));
  });

  it('answers only documented statuses with valid bodies, authentication required, without credentials', async () => {
    const seen = await sweep(secured.url);
    assert.ok(seen.has('/cars GET 401') && seen.has('/cars/{carId} PATCH 401'), [...seen].join('; '));
    assert.ok(seen.has('/openapi.json GET 200'), 'public paths stay public');
  });

  it('answers only documented statuses with valid bodies, authentication required, with a key', async () => {
    const seen = await sweep(secured.url, { 'X-API-Key': key });
    assert.ok(seen.has('/cars/{carId} GET 200'), [...seen].join('; '));
  });

  it('answers the same from the real entry point (src/main.ts), unknown methods included', async () => {
    const seen = await sweep(entryPoint.url);
    assert.ok(seen.has('/cars FROB 400') && seen.has('/docs PROPFIND 405'), [...seen].join('; '));
  });
});
