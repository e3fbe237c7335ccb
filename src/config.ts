/** Typed, frozen configuration from flags and environment variables, validated at start-up. */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

/** The service's settings. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly bodyLimit: number;
  readonly databasePoolMax: number;
  readonly databaseStatementTimeoutMs: number;
  readonly requireIfMatch: boolean;
  /** Worker processes sharing the port (node:cluster); 1 runs in-process. */
  readonly workers: number;
  readonly shutdownTimeoutMs: number;
  /** `auto`: off on a loopback bind while no API keys exist, required otherwise. */
  readonly auth: 'required' | 'off' | 'auto';
  /** Allow AUTH=off on a non-loopback bind. */
  readonly insecureNoAuth: boolean;
  /** Sustained requests per second per client; 0 turns rate limiting off. */
  readonly rateLimitRps: number;
  readonly rateLimitBurst: number;
  readonly corsOrigins: readonly string[];
  readonly maxConnections: number;
  /** Check answers against the spec: `fail` in development, `log` in production, or `off`. */
  readonly validateResponses: 'off' | 'log' | 'fail';
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
  readonly boolean?: true;
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
  databasePoolMax: {
    flag: 'database-pool-max',
    env: 'DATABASE_POOL_MAX',
    default: '10',
    help: 'PostgreSQL connections per instance; instances x pool <= max_connections',
  },
  databaseStatementTimeoutMs: {
    flag: 'database-statement-timeout-ms',
    env: 'DATABASE_STATEMENT_TIMEOUT_MS',
    default: '5000',
    help: 'PostgreSQL statement timeout; slower statements answer 503',
  },
  requireIfMatch: {
    flag: 'require-if-match',
    env: 'REQUIRE_IF_MATCH',
    default: 'false',
    help: 'answer unconditional writes to existing cars with 428',
    boolean: true,
  },
  workers: { flag: 'workers', env: 'WORKERS', default: '1', help: 'worker processes on one port, or "auto" for one per CPU' },
  shutdownTimeoutMs: {
    flag: 'shutdown-timeout-ms',
    env: 'SHUTDOWN_TIMEOUT_MS',
    default: '10000',
    help: 'how long in-flight requests may take to finish on SIGTERM/SIGINT',
  },
  auth: {
    flag: 'auth',
    env: 'AUTH',
    default: 'auto',
    help: 'required|off|auto; auto is off on loopback while no API keys exist, else required',
  },
  insecureNoAuth: {
    flag: 'insecure-no-auth',
    env: 'INSECURE_NO_AUTH',
    default: 'false',
    help: 'allow AUTH=off on a non-loopback HOST (anyone who can reach it can write)',
    boolean: true,
  },
  rateLimitRps: { flag: 'rate-limit-rps', env: 'RATE_LIMIT_RPS', default: '1000', help: 'requests per second per key or client; 0 = off' },
  rateLimitBurst: { flag: 'rate-limit-burst', env: 'RATE_LIMIT_BURST', default: '2000', help: 'largest burst per key or client' },
  corsOrigins: { flag: 'cors-origins', env: 'CORS_ORIGINS', default: '', help: 'comma-separated browser origins allowed by CORS' },
  validateResponses: {
    flag: 'validate-responses',
    env: 'VALIDATE_RESPONSES',
    default: 'unset: true unless NODE_ENV=production',
    help: 'check every answer against the spec (a violation is a 500 in development, a log line in production)',
  },
  maxConnections: { flag: 'max-connections', env: 'MAX_CONNECTIONS', default: '1024', help: 'open connections at most; more are refused' },
} as const satisfies Record<keyof Config, Setting>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The `--help` text, listing every setting with its variable and default. */
export function helpText(): string {
  const rows = Object.values(SETTINGS).map(
    (s: Setting) => `  --${s.flag.padEnd(30)} ${s.env.padEnd(30)} ${s.help} (default: ${s.default})`,
  );
  return [
    'Usage: npm start -- [options]',
    '',
    `  ${'flag'.padEnd(32)} ${'variable'.padEnd(30)} meaning`,
    ...rows,
    `  ${'--help'.padEnd(32)} ${''.padEnd(30)} print this help`,
  ].join('\n');
}

/** VALIDATE_RESPONSES: on by default outside production; in production a violation is only logged. */
function responseValidation({ value, source }: { value: string; source: string }, production: boolean): Config['validateResponses'] {
  const on = value.startsWith('unset') ? !production : /^(true|1|yes|on)$/i.test(value) ? true : /^(false|0|no|off)$/i.test(value) ? false : undefined;
  if (on === undefined) throw new ConfigError(`${source} must be true or false, got "${value}"`);
  return !on ? 'off' : production ? 'log' : 'fail';
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
        ...Object.fromEntries(
          Object.values(SETTINGS).map((s: Setting) => [s.flag, { type: s.boolean ? ('boolean' as const) : ('string' as const) }]),
        ),
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
    if (flag === true) return { value: 'true', source: `--${s.flag}` };
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
  const boolean = (key: keyof typeof SETTINGS): boolean => {
    const { value, source } = raw(key);
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    throw new ConfigError(`${source} must be true or false, got "${value}"`);
  };

  const workersRaw = raw('workers');
  const workers = workersRaw.value === 'auto' ? availableParallelism() : integer('workers', 1, 256);

  const host = raw('host');
  if (host.value.trim() === '') throw new ConfigError(`${host.source} must not be empty`);
  const authMode = raw('auth');
  if (!['required', 'off', 'auto'].includes(authMode.value)) {
    throw new ConfigError(`${authMode.source} must be required, off or auto, got "${authMode.value}"`);
  }
  const corsOrigins = raw('corsOrigins')
    .value.split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`CORS_ORIGINS entries must be origins like https://app.example.com, got "${origin}"`);
    }
  }

  return Object.freeze({
    port: integer('port', 0, 65535),
    host: host.value,
    databaseUrl: databaseUrl.value,
    logLevel: logLevel.value as Config['logLevel'],
    bodyLimit: integer('bodyLimit', 1, 1024 * 1024 * 1024),
    databasePoolMax: integer('databasePoolMax', 1, 1000),
    databaseStatementTimeoutMs: integer('databaseStatementTimeoutMs', 1, 3_600_000),
    requireIfMatch: boolean('requireIfMatch'),
    workers,
    shutdownTimeoutMs: integer('shutdownTimeoutMs', 0, 3_600_000),
    auth: authMode.value as Config['auth'],
    insecureNoAuth: boolean('insecureNoAuth'),
    rateLimitRps: integer('rateLimitRps', 0, 1_000_000),
    rateLimitBurst: integer('rateLimitBurst', 1, 10_000_000),
    corsOrigins: Object.freeze(corsOrigins),
    maxConnections: integer('maxConnections', 1, 1_000_000),
    validateResponses: responseValidation(raw('validateResponses'), env.NODE_ENV === 'production'),
  });
}
