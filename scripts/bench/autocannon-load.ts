/**
 * The load process when wrk is missing: autocannon, driven through its API so every request can
 * carry a fresh id. Run as `node --import tsx scripts/bench/autocannon-load.ts '<LoadSpec JSON>'`;
 * prints one line, BENCH_RESULT {json}, in the same shape as wrk.lua's.
 */
import autocannon from 'autocannon';
import type { LoadSpec } from './load.js';
import { requestGenerator } from './workload.js';

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  const next = requestGenerator(spec.workload);
  const jsonHeaders = { ...spec.headers, 'content-type': 'application/json' };
  let cap: NodeJS.Timeout | undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...(spec.amount > 0 ? { amount: spec.amount } : { duration: spec.durationSeconds }),
        timeout: 10,
        requests: [
          {
            setupRequest: (request) => {
              const { method, path, body } = next();
              return body === undefined
                ? { ...request, method, path, headers: spec.headers, body: undefined }
                : { ...request, method, path, headers: jsonHeaders, body };
            },
          },
        ],
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    // An amount-bound run still ends by the duration, which the caller sets as its deadline.
    if (spec.amount > 0) cap = setTimeout(() => instance.stop(), spec.durationSeconds * 1000);
  });
  clearTimeout(cap);
  const line = {
    requests: result.requests.total,
    durationUs: Math.round(result.duration * 1e6),
    p50Us: result.latency.p50 * 1000,
    p99Us: result.latency.p99 * 1000,
    connectErrors: result.errors - result.timeouts,
    readErrors: 0,
    writeErrors: 0,
    statusErrors: result['4xx'] + result['5xx'],
    timeouts: result.timeouts,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(line)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`autocannon load failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
