/** The entry point: the only code that reads the environment, opens the store and listens. */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { Document } from 'openapi-backend';
import { pino, type Logger } from 'pino';
import { createApp } from './app.js';
import { ConfigError, helpText, loadConfig, type Config } from './config.js';
import { answerClientError } from './http/client-error.js';
import type { ApiKeyStore } from './store/api-key-store.js';
import { openStore } from './store/open-store.js';

/**
 * The spec as `npm run build` read and checked it, embedded in the bundle (scripts/build.ts), so
 * the compiled server neither parses YAML (660 ms of its start-up profile) nor checks the document
 * again. Under tsx (`npm run dev`, the tests) the name is not defined, and the app reads
 * spec/cars.openapi.yaml and checks it.
 */
declare const CARS_BUILT_SPEC: { yaml: string; json: string } | undefined;
function builtSpec(): { spec: Document; specYaml: string; checkSpec: false } | Record<string, never> {
  if (typeof CARS_BUILT_SPEC === 'undefined') return {};
  return { spec: JSON.parse(CARS_BUILT_SPEC.json) as Document, specYaml: CARS_BUILT_SPEC.yaml, checkSpec: false };
}

/** Serves HTTP in this process until SIGTERM/SIGINT, then drains and exits 0. */
async function serve(config: Config, logger: Logger): Promise<void> {
  const store = await openStore(config.databaseUrl, {
    poolMax: config.databasePoolMax,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  });
  const authRequired = await resolveAuth(config, store, logger);
  const app = await createApp({
    store,
    logger,
    bodyLimit: config.bodyLimit,
    requireIfMatch: config.requireIfMatch,
    corsOrigins: config.corsOrigins,
    validateResponses: config.validateResponses,
    ...builtSpec(),
    ...(authRequired ? { auth: { keys: store } } : {}),
    ...(config.rateLimitRps > 0 ? { rateLimit: { ratePerSecond: config.rateLimitRps, burst: config.rateLimitBurst } } : {}),
  });
  const server = createServer(app.callback());
  server.on('clientError', answerClientError);
  server.maxConnections = config.maxConnections;
  // A slow or idle client cannot hold a connection open for ever (slowloris).
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ host: config.host, port, store: config.databaseUrl.split(':')[0] }, `listening on http://${config.host}:${port}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timeout: closing remaining connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    // server.close() leaves keep-alive connections open until they time out (nodejs/node#41578):
    // answer every further request with Connection: close, and close connections as they go idle.
    server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
    setInterval(() => server.closeIdleConnections(), 50).unref();
    server.close(() => {
      clearTimeout(force);
      void store.close().finally(() => {
        logger.info('stopped');
        logger.flush(() => process.exit(0));
      });
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/**
 * JSON logs, written asynchronously so logging never blocks a request; pretty on a terminal
 * outside production.
 */
function createLogger(level: Config['logLevel']): Logger {
  if (process.stdout.isTTY && process.env.NODE_ENV !== 'production') {
    return pino({ level, transport: { target: 'pino-pretty', options: { destination: 1 } } });
  }
  return pino({ level }, pino.destination({ dest: 1, sync: false }));
}

/** Whether a bind address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Decides whether requests need credentials; refuses an unauthenticated public bind. */
async function resolveAuth(config: Config, keys: ApiKeyStore, logger: Logger): Promise<boolean> {
  const loopback = isLoopback(config.host);
  if (config.auth === 'off' && !loopback && !config.insecureNoAuth) {
    throw new StartupRefusal(
      `refusing to serve ${config.host} with AUTH=off: anyone who can reach it could change every car. ` +
        'Create keys (npm run keys -- create ...) and set AUTH=required, or pass --insecure-no-auth.',
    );
  }
  const activeKeys = await keys.countActiveApiKeys();
  const required = config.auth === 'required' || (config.auth === 'auto' && (!loopback || activeKeys > 0));
  if (!required) {
    logger.warn(
      { host: config.host, auth: config.auth },
      'authentication is OFF: every client that can reach this address may read and write cars',
    );
  } else if (activeKeys === 0) {
    logger.warn('authentication is required but no API keys exist: create one with npm run keys -- create');
  }
  return required;
}

/** A start-up refused for safety; exits 2 with its message. */
class StartupRefusal extends Error {}

/** Runs `workers` copies of `serve` on one port with node:cluster, replacing any that die. */
function supervise(config: Config, logger: Logger): void {
  let stopping = false;
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: config.workers }, 'stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`cars-api: ${err.message}\nRun with --help to list every setting.\n`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  const logger = createLogger(config.logLevel);
  if (config.workers > 1 && cluster.isPrimary) supervise(config, logger);
  else await serve(config, logger);
}

main().catch((err: unknown) => {
  if (err instanceof StartupRefusal) {
    process.stderr.write(`cars-api: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`cars-api: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
