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

/** Where a raw setting came from, for messages: `--port`, `PORT`, or `default PORT`. */
interface Raw {
  readonly value: string;
  readonly source: string;
  /** The process environment, for settings whose default depends on it (NODE_ENV). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One row of a settings table (convict-style): its flag, variable, default, help and parser. */
export interface Setting<T> {
  readonly flag: string;
  readonly env: string;
  readonly default: string;
  readonly help: string;
  readonly boolean?: true;
  /** Turns the raw text into the value; throws a ConfigError naming `source`. */
  readonly parse: (raw: Raw) => T;
}

/** Parses an integer from `min` to `max`, written in plain digits. */
const integer =
  (min: number, max: number) =>
  ({ value, source }: Raw): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new ConfigError(`${source} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };

/** Parses true/false (also 1/0, yes/no, on/off), or undefined for anything else. */
const truth = (value: string): boolean | undefined =>
  /^(true|1|yes|on)$/i.test(value) ? true : /^(false|0|no|off)$/i.test(value) ? false : undefined;

/** Parses a boolean setting. */
const boolean = ({ value, source }: Raw): boolean => {
  const on = truth(value);
  if (on === undefined) throw new ConfigError(`${source} must be true or false, got "${value}"`);
  return on;
};

/** Parses one of a fixed list of words. */
const oneOf =
  <const W extends string>(words: readonly W[], wording = words.join(', ')) =>
  ({ value, source }: Raw): W => {
    if (!(words as readonly string[]).includes(value)) throw new ConfigError(`${source} must be ${wording}, got "${value}"`);
    return value as W;
  };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every setting of the service, one row each. */
export const SETTINGS = {
  port: { flag: 'port', env: 'PORT', default: '8080', help: 'TCP port to listen on (0 picks a free one)', parse: integer(0, 65535) },
  host: {
    flag: 'host',
    env: 'HOST',
    default: '127.0.0.1',
    help: 'address to bind',
    parse: ({ value, source }) => {
      if (value.trim() === '') throw new ConfigError(`${source} must not be empty`);
      return value;
    },
  },
  databaseUrl: {
    flag: 'database-url',
    env: 'DATABASE_URL',
    default: 'sqlite:data/cars.db',
    help: 'store: sqlite:<file>, or sqlite::memory: for a fresh in-memory store',
    parse: ({ value, source }) => {
      if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(value)) {
        throw new ConfigError(`${source} must be sqlite:<file>, sqlite::memory: or postgres://..., got "${value}"`);
      }
      return value;
    },
  },
  logLevel: {
    flag: 'log-level',
    env: 'LOG_LEVEL',
    default: 'info',
    help: 'fatal|error|warn|info|debug|trace|silent',
    parse: oneOf(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`),
  },
  bodyLimit: { flag: 'body-limit', env: 'BODY_LIMIT', default: '1048576', help: 'largest request body in bytes', parse: integer(1, 1024 * 1024 * 1024) },
  databasePoolMax: {
    flag: 'database-pool-max',
    env: 'DATABASE_POOL_MAX',
    default: '10',
    help: 'PostgreSQL connections per instance; instances x pool <= max_connections',
    parse: integer(1, 1000),
  },
  databaseStatementTimeoutMs: {
    flag: 'database-statement-timeout-ms',
    env: 'DATABASE_STATEMENT_TIMEOUT_MS',
    default: '5000',
    help: 'PostgreSQL statement timeout; slower statements answer 503',
    parse: integer(1, 3_600_000),
  },
  requireIfMatch: {
    flag: 'require-if-match',
    env: 'REQUIRE_IF_MATCH',
    default: 'false',
    help: 'answer unconditional writes to existing cars with 428',
    boolean: true,
    parse: boolean,
  },
  workers: {
    flag: 'workers',
    env: 'WORKERS',
    default: '1',
    help: 'worker processes on one port, or "auto" for one per CPU',
    parse: (raw) => (raw.value === 'auto' ? availableParallelism() : integer(1, 256)(raw)),
  },
  shutdownTimeoutMs: {
    flag: 'shutdown-timeout-ms',
    env: 'SHUTDOWN_TIMEOUT_MS',
    default: '10000',
    help: 'how long in-flight requests may take to finish on SIGTERM/SIGINT',
    parse: integer(0, 3_600_000),
  },
  auth: {
    flag: 'auth',
    env: 'AUTH',
    default: 'auto',
    help: 'required|off|auto; auto is off on loopback while no API keys exist, else required',
    parse: oneOf(['required', 'off', 'auto'], 'required, off or auto'),
  },
  insecureNoAuth: {
    flag: 'insecure-no-auth',
    env: 'INSECURE_NO_AUTH',
    default: 'false',
    help: 'allow AUTH=off on a non-loopback HOST (anyone who can reach it can write)',
    boolean: true,
    parse: boolean,
  },
  rateLimitRps: {
    flag: 'rate-limit-rps',
    env: 'RATE_LIMIT_RPS',
    default: '1000',
    help: 'requests per second per key or client; 0 = off',
    parse: integer(0, 1_000_000),
  },
  rateLimitBurst: { flag: 'rate-limit-burst', env: 'RATE_LIMIT_BURST', default: '2000', help: 'largest burst per key or client', parse: integer(1, 10_000_000) },
  corsOrigins: {
    flag: 'cors-origins',
    env: 'CORS_ORIGINS',
    default: '',
    help: 'comma-separated browser origins allowed by CORS',
    parse: ({ value }) => {
      const origins = value
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== '');
      for (const origin of origins) {
        if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
          throw new ConfigError(`CORS_ORIGINS entries must be origins like https://app.example.com, got "${origin}"`);
        }
      }
      return Object.freeze(origins);
    },
  },
  validateResponses: {
    flag: 'validate-responses',
    env: 'VALIDATE_RESPONSES',
    default: 'unset: true unless NODE_ENV=production',
    help: 'check every answer against the spec (a violation is a 500 in development, a log line in production)',
    // On by default outside production; in production a violation is only logged.
    parse: ({ value, source, env }) => {
      const production = env.NODE_ENV === 'production';
      const on = value.startsWith('unset') ? !production : truth(value);
      if (on === undefined) throw new ConfigError(`${source} must be true or false, got "${value}"`);
      return !on ? 'off' : production ? 'log' : 'fail';
    },
  },
  maxConnections: {
    flag: 'max-connections',
    env: 'MAX_CONNECTIONS',
    default: '1024',
    help: 'open connections at most; more are refused',
    parse: integer(1, 1_000_000),
  },
} as const satisfies { [K in keyof Config]: Setting<Config[K]> };

/** Any table of settings. */
type SettingsTable = Record<string, Setting<unknown>>;
/** The values a table of settings parses to. */
export type SettingsOf<T extends SettingsTable> = { readonly [K in keyof T]: ReturnType<T[K]['parse']> };

/** The `--help` text for a table, listing every setting with its variable and default. */
export function helpText(table: SettingsTable = SETTINGS, usage = 'Usage: npm start -- [options]'): string {
  const rows = Object.values(table).map((s) => `  --${s.flag.padEnd(30)} ${s.env.padEnd(30)} ${s.help} (default: ${s.default})`);
  return [
    usage,
    '',
    `  ${'flag'.padEnd(32)} ${'variable'.padEnd(30)} meaning`,
    ...rows,
    `  ${'--help'.padEnd(32)} ${''.padEnd(30)} print this help`,
  ].join('\n');
}

/** Parses a table's flags over environment variables over defaults, into a frozen object; throws ConfigError on a bad value. */
export function loadSettings<T extends SettingsTable>(
  table: T,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SettingsOf<T> | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.values(table).map((s) => [s.flag, { type: s.boolean ? ('boolean' as const) : ('string' as const) }])),
      },
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return 'help';

  const raw = (s: Setting<unknown>): Raw => {
    const flag = values[s.flag];
    if (typeof flag === 'string') return { value: flag, source: `--${s.flag}`, env };
    if (flag === true) return { value: 'true', source: `--${s.flag}`, env };
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: s.env, env };
    return { value: s.default, source: `default ${s.env}`, env };
  };
  const parsed = Object.fromEntries(Object.entries(table).map(([key, s]) => [key, s.parse(raw(s))]));
  return Object.freeze(parsed) as SettingsOf<T>;
}

/** The service's settings from flags, environment variables and defaults; throws ConfigError on a bad value. */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Config | 'help' {
  return loadSettings(SETTINGS, argv, env);
}
