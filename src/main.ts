/** The entry point: the only code that reads the environment, opens the store and listens. */
import { createServer } from 'node:http';
import { pino } from 'pino';
import { createApp } from './app.js';
import { ConfigError, helpText, loadConfig } from './config.js';
import { openStore } from './store/open-store.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`cars-api: ${err.message}\n\n${helpText()}\n`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return;
  }

  const logger = pino({ level: config.logLevel });
  const store = await openStore(config.databaseUrl);
  const app = await createApp({ store, logger, bodyLimit: config.bodyLimit });
  const server = createServer(app.callback());
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ host: config.host, port, store: config.databaseUrl.split(':')[0] }, `listening on http://${config.host}:${port}`);
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      void store.close().then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`cars-api: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
