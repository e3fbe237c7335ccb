/** One log line and one metrics sample per request, labelled with the operationId. */
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Per-app metrics: a registry of its own, so several apps can live in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['operation', 'method', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, requests, duration };
}

/** The metrics of one app. */
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Middleware that logs each request once (method, path, operationId, status, duration, request id)
 * and records it in the metrics. Headers are never logged, so keys and tokens cannot leak.
 */
export function observe({ logger, metrics }: { logger: Logger; metrics: Metrics }) {
  // prom-client hashes the label object on every call; the label sets are few, so keep their children.
  const children = new Map<string, { count: () => void; time: (seconds: number) => void }>();
  const record = (operation: string, method: string, status: number, seconds: number) => {
    const key = `${operation} ${method} ${status}`;
    let child = children.get(key);
    if (!child) {
      const labels = [operation, method, String(status)] as const;
      const counter = metrics.requests.labels(...labels);
      const histogram = metrics.duration.labels(...labels);
      child = { count: () => counter.inc(), time: (s) => histogram.observe(s) };
      children.set(key, child);
    }
    child.count();
    child.time(seconds);
  };

  // The level is set once at start-up; below info, the log line's object is not even built.
  const logRequests = logger.isLevelEnabled('info');

  return async function observeRequest(ctx: Context, next: Next): Promise<void> {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const operation: string = ctx.state.operationId ?? 'none';
      const { method } = ctx.request;
      const { status } = ctx.response;
      record(operation, method, status, seconds);
      if (logRequests) {
        logger.info(
          {
            method,
            path: ctx.request.path,
            operationId: operation,
            status,
            durationMs: Math.round(seconds * 1e6) / 1e3,
            requestId: ctx.state.requestId,
          },
          'request',
        );
      }
    }
  };
}
