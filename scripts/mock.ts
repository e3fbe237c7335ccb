/** `npm run mock`: the mock server on PORT (default 4010) and HOST (default 127.0.0.1), until SIGINT/SIGTERM. */
import { createServer } from 'node:http';
import { pino } from 'pino';
import { ConfigError } from '../src/config.js';
import { createMockApp, loadMockConfig, MOCK_HELP } from '../src/mock/index.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadMockConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`cars-mock: ${err.message}\nRun with --help for the settings.\n`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(`${MOCK_HELP}\n`);
    return;
  }
  const logger = pino({ level: config.logLevel });
  const app = await createMockApp({ logger });
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ host: config.host, port }, `mock listening on http://${config.host}:${port}`);

  const stop = (signal: string) => {
    logger.info({ signal }, 'mock stopping');
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`cars-mock: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
