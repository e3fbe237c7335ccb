/** How the bench starts the real server and the node:http baseline. */
import type { ServerSpec } from './processes.js';

/** Settings shared by every server the bench starts. */
export interface TargetOptions {
  /** Command prefix pinning the server to its core. */
  pin: readonly string[];
  /** Extra arguments for the server (`--server-arg`), e.g. to turn a rate limit off. */
  serverArgs: readonly string[];
  /** Headers every request carries, e.g. an API key. */
  headers: Record<string, string>;
}

/** The compiled entry point, as `npm start` runs it (built by `npm run build`; the bench builds it first). */
export const SERVER_ENTRY = 'dist/server/main.js';

/** Targets of the SQLite scenarios, as medians of same-round ratios to the node:http baseline. */
export const SQLITE_TARGETS = { getIdRatio: 0.65, putRatio: 0.5, p99Ms: 10 } as const;

/** Targets of the start-up check: the compiled server on a SQLite file store. */
export const STARTUP_TARGETS = { firstAnswerMs: 600, idleRssMiB: 90 } as const;

/**
 * The real server (compiled, as `npm start` runs it, with no TypeScript loader) on a SQLite file, configured as deployed (NODE_ENV=production, so
 * answers are not re-validated) and logging only warnings. The rate limiter stays on the request
 * path but with a limit one load generator can't reach: it is one client sending 10^4 req/s.
 */
export function realServer(name: string, databaseFile: string, o: TargetOptions, nodeFlags: readonly string[] = []): ServerSpec {
  return {
    name,
    pin: o.pin,
    nodeFlags,
    args: [SERVER_ENTRY, '--port', '{port}', ...o.serverArgs],
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: `sqlite:${databaseFile}`,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      WORKERS: '1',
      RATE_LIMIT_RPS: '1000000',
      RATE_LIMIT_BURST: '10000000',
    },
    headers: o.headers,
  };
}

/** The bare node:http baseline holding `cars` cars in a Map. */
export function baselineServer(cars: number, o: TargetOptions): ServerSpec {
  return {
    name: 'baseline',
    pin: o.pin,
    nodeFlags: ['--import', 'tsx'],
    args: ['scripts/bench/baseline-server.ts', '--port', '{port}', '--cars', String(cars)],
  };
}
