/** `cars import <file>`: POST every row with a content-derived Idempotency-Key, 8 at a time, and sum up what happened. */
import { setTimeout as sleep } from 'node:timers/promises';
import { CarsApiError, type components } from '../client/index.js';
import { choice, positiveInteger, stringOption } from './cli-args.js';
import { InputError, UsageError } from './cli-errors.js';
import type { Command, CommandContext } from './command.js';
import { FORMATS, type Format } from './file-formats.js';
import { importKey } from './import-key.js';
import { printImportReport, type ImportReport, type RowOutcome } from './import-report.js';
import { formatOfPath, parseRows, type ImportRow } from './import-rows.js';
import { createProgressBar } from './progress-bar.js';
import { retryDelayMs, RETRYABLE_STATUSES } from './retry-after.js';
import { runPool } from './run-pool.js';

type Car = components['schemas']['Car'];
type CarCreate = components['schemas']['CarCreate'];
type Problem = components['schemas']['Problem'];

/** Requests in flight at once unless `--concurrency` says otherwise. */
const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 64;
/** Attempts per row; a row still answered 429 or 503 after these counts as failed, and a re-run picks it up. */
const MAX_ATTEMPTS = 5;

/** `title: detail (pointer: message; ...)` from a problem, or the bare status when the body was not one. */
function problemText(status: number, problem: unknown): string {
  const p = problem as Partial<Problem> | undefined;
  if (!p || typeof p !== 'object' || typeof p.title !== 'string') return `HTTP ${status}`;
  const checks = (p.errors ?? []).map((e) => `${e.pointer || '(body)'}: ${e.message}`);
  return `${p.title}: ${p.detail}${checks.length > 0 ? ` (${checks.join('; ')})` : ''}`;
}

/** Turns the answer to a row's POST into its outcome; 401 and 403 stop the whole import. */
function classify(where: string, { data, error, response }: { data?: Car; error?: unknown; response: Response }): RowOutcome {
  if (response.status === 201 && data) {
    // The server marks the replay of a key it has seen: an earlier run created this row.
    return response.headers.get('Idempotent-Replayed') === 'true'
      ? { row: where, status: 'skipped', reason: `already imported as car ${data.id}`, id: data.id }
      : { row: where, status: 'created', id: data.id };
  }
  const problem = error as Problem | undefined;
  // Missing credentials or scope are not a fault of the row: every other row would fail the same way.
  if (response.status === 401 || response.status === 403) throw new CarsApiError(response.status, problem);
  if (response.status === 409) {
    return { row: where, status: 'skipped', reason: `already exists: ${problem?.detail ?? 'the id is taken'}` };
  }
  return {
    row: where,
    status: 'failed',
    reason: problemText(response.status, problem),
    ...(problem && typeof problem === 'object' ? { problem } : {}),
  };
}

/** POSTs one row, retrying 429 and 503 as `Retry-After` asks, and classifies the answer. Network failures are thrown. */
async function importRow(ctx: CommandContext, where: string, body: unknown, key: string): Promise<RowOutcome> {
  const post = () =>
    ctx.client.POST('/cars', {
      // Rows are sent as read: the server's validation is the one judge of what a car is.
      body: body as CarCreate,
      // The same key makes a retry, and any later run, safe: the server replays instead of creating again.
      params: { header: { 'Idempotency-Key': key } },
    });
  let result = await post();
  for (let attempt = 1; attempt < MAX_ATTEMPTS && RETRYABLE_STATUSES.has(result.response.status); attempt++) {
    await sleep(retryDelayMs(result.response.headers.get('Retry-After')));
    result = await post();
  }
  return classify(where, result);
}

/** Reads and splits the file; the format comes from `--format` or the file's extension. */
async function readRows(ctx: CommandContext, file: string, formatFlag: string | undefined): Promise<{ format: Format; rows: ImportRow[] }> {
  const format = formatFlag === undefined ? formatOfPath(file) : choice(formatFlag, FORMATS, '--format');
  if (format === undefined) throw new UsageError(`cannot tell the format of "${file}" from its extension; add --format json|ndjson|csv`);
  let text: string;
  try {
    text = await ctx.readFile(file);
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return { format, rows: parseRows(text, format) };
  } catch (err) {
    throw err instanceof InputError ? new InputError(`cannot import ${file}: ${err.message}`) : err;
  }
}

/** `cars import <file> [--format json|ndjson|csv] [--concurrency N]`. */
export const importCommand: Command = {
  name: 'import',
  summary: 'create the cars in a JSON, NDJSON or CSV file; safe to re-run',
  synopsis: '<file> [--format json|ndjson|csv] [--concurrency N]',
  arguments: ['file'],
  options: { format: { type: 'string' }, concurrency: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    const file = positionals[0] ?? '';
    const concurrencyFlag = stringOption(values, 'concurrency');
    const concurrency = concurrencyFlag === undefined ? DEFAULT_CONCURRENCY : positiveInteger(concurrencyFlag, '--concurrency');
    if (concurrency > MAX_CONCURRENCY) throw new UsageError(`--concurrency must be at most ${MAX_CONCURRENCY}, got ${concurrency}`);
    const { format, rows } = await readRows(ctx, file, stringOption(values, 'format'));

    const outcomes: (RowOutcome | undefined)[] = new Array(rows.length);
    const pending: { index: number; where: string; body: unknown; key: string }[] = [];
    const firstWithKey = new Map<string, string>();
    rows.forEach((row, index) => {
      if ('error' in row) {
        outcomes[index] = { row: row.where, status: 'failed', reason: row.error };
        return;
      }
      const key = importKey(row.body);
      const first = firstWithKey.get(key);
      // The same content twice in one file has one key, so it can only ever make one car.
      if (first !== undefined) outcomes[index] = { row: row.where, status: 'skipped', reason: `same as ${first}` };
      else {
        firstWithKey.set(key, row.where);
        pending.push({ index, where: row.where, body: row.body, key });
      }
    });

    const counts = { created: 0, skipped: 0, failed: 0 };
    for (const outcome of outcomes) if (outcome) counts[outcome.status]++;
    const progress = createProgressBar(ctx.stderr, rows.length, 'importing');
    let done = rows.length - pending.length;
    try {
      await runPool(pending, concurrency, async ({ index, where, body, key }) => {
        const outcome = await importRow(ctx, where, body, key);
        outcomes[index] = outcome;
        counts[outcome.status]++;
        done++;
        progress.update(done, `created ${counts.created} skipped ${counts.skipped} failed ${counts.failed}`);
      });
    } finally {
      progress.clear();
    }

    const report: ImportReport = {
      file,
      format,
      rows: rows.length,
      ...counts,
      outcomes: outcomes.filter((o): o is RowOutcome => o !== undefined),
    };
    printImportReport(ctx, report);
    return report.failed > 0 ? 1 : 0;
  },
};
