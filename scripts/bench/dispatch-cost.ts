/**
 * `node --import tsx scripts/bench/dispatch-cost.ts`: what openapi-backend's handleRequest costs per
 * call against the compiled router, the precompiled validators and the registered handler that the
 * server uses instead (README: Design). In-process, with no-op handlers, so only dispatch is timed.
 */
import type { Request } from 'openapi-backend';
import { compileContract } from '../../src/http/contract.js';
import { loadSpec } from '../../src/spec.js';

const CALLS = 20_000;
const contract = await compileContract(loadSpec());
const { api } = contract;
const answer = async () => ({ status: 200 });
const handlers: Record<string, typeof answer> = {};
for (const op of contract.operations) handlers[op.operationId] = answer;
for (const name of ['validationFail', 'notFound', 'methodNotAllowed', 'notImplemented', 'unauthorizedHandler']) handlers[name] = answer;
contract.register(handlers);
for (const scheme of Object.keys(api.definition.components?.securitySchemes ?? {})) api.registerSecurityHandler(scheme, async () => true);

/** Microseconds per call of `run`, after a warm-up. */
async function perCall(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < CALLS / 10; i++) await run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await run();
  return Number(process.hrtime.bigint() - start) / CALLS / 1000;
}

const requests: (Request & { headers: Record<string, string> })[] = [
  { method: 'GET', path: '/cars/1', headers: {}, query: {} },
  { method: 'PUT', path: '/cars/1', headers: { 'content-type': 'application/json' }, query: {}, body: { model: 'Ford', color: 'Black' } },
];
for (const request of requests) {
  const viaHandleRequest = await perCall(() => api.handleRequest(request));
  const compiled = await perCall(async () => {
    const match = contract.route(request.method, request.path);
    if (match.operation === undefined) throw new Error('no route');
    const parts = { path: { ...match.params }, query: {}, header: request.headers, cookie: {}, requestBody: request.body };
    contract.validate(match.operation, parts);
    const handler = api.handlers[match.operation.operationId] as unknown as () => Promise<unknown>;
    return handler();
  });
  process.stdout.write(
    `${request.method} ${request.path}: handleRequest ${viaHandleRequest.toFixed(1)} µs/call, compiled router + validators + handler ${compiled.toFixed(1)} µs/call (${(viaHandleRequest / compiled).toFixed(0)}×)\n`,
  );
}
