/** Command-line values: the global options, and helpers that turn flag text into checked values. */
import { UsageError } from './cli-errors.js';

/** An option as `node:util` `parseArgs` takes it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
}

/** The values `parseArgs` returns. */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

/** Where the CLI looks when neither `--url` nor `CARS_URL` is set. */
export const DEFAULT_URL = 'http://localhost:8080';

/** A string option's value, if given. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A string option that must be given. */
export function requiredOption(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined) throw new UsageError(`missing --${name}`);
  return value;
}

/** Parses a positive integer no larger than 2^53 - 1, written in plain digits. */
export function positiveInteger(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || !Number.isSafeInteger(n)) {
    throw new UsageError(`${what} must be a positive integer, got "${text}"`);
  }
  return n;
}

/** The server's base URL from `--url`, `CARS_URL` or the default; it must be http(s). */
export function baseUrlFrom(values: OptionValues, env: Readonly<Record<string, string | undefined>>): string {
  const raw = stringOption(values, 'url') ?? (env.CARS_URL || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

/** The API key from `--api-key` or `CARS_API_KEY`, if any. */
export function apiKeyFrom(values: OptionValues, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return stringOption(values, 'api-key') ?? (env.CARS_API_KEY || undefined);
}

/** One of a fixed set of choices. */
export function choice<T extends string>(text: string, choices: readonly T[], what: string): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`${what} must be one of ${choices.join(', ')}, got "${text}"`);
  }
  return text as T;
}
