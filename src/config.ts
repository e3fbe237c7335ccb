/** Typed, frozen configuration from flags and environment variables, validated at start-up. */
import { parseArgs } from 'node:util';

/** The service's settings. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly bodyLimit: number;
}

/** A bad setting; the message names the setting and the value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly default: string;
  readonly help: string;
}

const SETTINGS = {
  port: { flag: 'port', env: 'PORT', default: '8080', help: 'TCP port to listen on (0 picks a free one)' },
  host: { flag: 'host', env: 'HOST', default: '127.0.0.1', help: 'address to bind' },
  databaseUrl: {
    flag: 'database-url',
    env: 'DATABASE_URL',
    default: 'sqlite:data/cars.db',
    help: 'store: sqlite:<file>, or sqlite::memory: for a fresh in-memory store',
  },
  logLevel: { flag: 'log-level', env: 'LOG_LEVEL', default: 'info', help: 'fatal|error|warn|info|debug|trace|silent' },
  bodyLimit: { flag: 'body-limit', env: 'BODY_LIMIT', default: '1048576', help: 'largest request body in bytes' },
} as const satisfies Record<keyof Config, Setting>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The `--help` text, listing every setting with its variable and default. */
export function helpText(): string {
  const rows = Object.values(SETTINGS).map(
    (s) => `  --${s.flag.padEnd(14)} ${s.env.padEnd(14)} ${s.help} (default: ${s.default})`,
  );
  return ['Usage: npm start -- [options]', '', '  flag             variable', ...rows, '  --help           print this help'].join('\n');
}

/** Parses flags over environment variables over defaults; throws ConfigError on a bad value. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.values(SETTINGS).map((s) => [s.flag, { type: 'string' as const }])),
      },
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return 'help';

  const raw = (key: keyof typeof SETTINGS): { value: string; source: string } => {
    const s = SETTINGS[key];
    const flag = values[s.flag];
    if (typeof flag === 'string') return { value: flag, source: `--${s.flag}` };
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: s.env };
    return { value: s.default, source: `default ${s.env}` };
  };

  const integer = (key: keyof typeof SETTINGS, min: number, max: number): number => {
    const { value, source } = raw(key);
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new ConfigError(`${source} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };

  const databaseUrl = raw('databaseUrl');
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl.value)) {
    throw new ConfigError(
      `${databaseUrl.source} must be sqlite:<file>, sqlite::memory: or postgres://..., got "${databaseUrl.value}"`,
    );
  }
  const logLevel = raw('logLevel');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel.value)) {
    throw new ConfigError(`${logLevel.source} must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel.value}"`);
  }
  const host = raw('host');
  if (host.value.trim() === '') throw new ConfigError(`${host.source} must not be empty`);

  return Object.freeze({
    port: integer('port', 0, 65535),
    host: host.value,
    databaseUrl: databaseUrl.value,
    logLevel: logLevel.value as Config['logLevel'],
    bodyLimit: integer('bodyLimit', 1, 1024 * 1024 * 1024),
  });
}
