/** The CLI's errors and the one place they become a message on stderr and an exit code. */
import { CarsApiError, CarsNetworkError, CarsResponseError } from '../client/index.js';

/** Exit codes: 0 success, 1 an API error or an unreachable server, 2 a usage error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A bad command line: unknown command or flag, missing argument, bad number. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A file that cannot be read or parsed. */
export class InputError extends Error {
  override name = 'InputError';
}

/** Formats an API error as the problem's title and detail, then each failed check. */
export function describeApiError(err: CarsApiError): string {
  const { problem } = err;
  if (!problem || typeof problem !== 'object' || typeof problem.title !== 'string') return `HTTP ${err.status}`;
  const lines = [`${problem.title}: ${problem.detail}`];
  for (const check of problem.errors ?? []) lines.push(`  ${check.pointer || '(body)'}: ${check.message}`);
  return lines.join('\n');
}

/** Writes the message for an error and returns its exit code. Anything unexpected is rethrown. */
export function reportError(err: unknown, stderr: { write(chunk: string): unknown }): number {
  if (err instanceof UsageError) {
    stderr.write(`cars: ${err.message}\nRun 'cars --help' for usage.\n`);
    return EXIT.usage;
  }
  if (err instanceof CarsApiError) {
    stderr.write(`cars: ${describeApiError(err)}\n`);
    if (err.status === 401) stderr.write('Pass an API key with --api-key or CARS_API_KEY.\n');
    return EXIT.failure;
  }
  if (err instanceof CarsNetworkError || err instanceof CarsResponseError || err instanceof InputError) {
    stderr.write(`cars: ${err.message}\n`);
    return EXIT.failure;
  }
  throw err;
}
