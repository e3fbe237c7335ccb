/** The mock's settings from flags and environment variables: where it listens. */
import { parseArgs } from 'node:util';

/** Where the mock listens. */
export interface MockConfig {
  readonly port: number;
  readonly host: string;
}

/** A bad setting; the message names it and the value. */
export class MockConfigError extends Error {
  override name = 'MockConfigError';
}

/** The `--help` text. */
export const MOCK_HELP = [
  'Usage: npm run mock -- [options]',
  '',
  'Serves every operation of spec/cars.openapi.yaml from its examples, validating requests as the real server does.',
  '',
  '  --port N     PORT  TCP port (0 picks a free one; default 4010)',
  '  --host H     HOST  address to bind (default 127.0.0.1)',
  '  -h, --help         print this help',
].join('\n');

/** Parses flags over environment variables over defaults. */
export function loadMockConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): MockConfig | 'help' {
  let values: { port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    throw new MockConfigError((err as Error).message);
  }
  if (values.help) return 'help';
  const portText = values.port ?? (env.PORT || '4010');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new MockConfigError(`${values.port === undefined ? 'PORT' : '--port'} must be an integer from 0 to 65535, got "${portText}"`);
  }
  const host = values.host ?? (env.HOST || '127.0.0.1');
  return Object.freeze({ port, host });
}
