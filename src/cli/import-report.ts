/** The outcome of an import, row by row, and its summary: a short text for people, or the whole report as JSON. */
import type { components } from '../client/index.js';
import type { CommandContext } from './command.js';

/** What happened to one row. */
export type RowOutcome =
  | { readonly row: string; readonly status: 'created'; readonly id: number }
  | { readonly row: string; readonly status: 'skipped'; readonly reason: string; readonly id?: number }
  | {
      readonly row: string;
      readonly status: 'failed';
      readonly reason: string;
      readonly problem?: components['schemas']['Problem'];
    };

/** What an import did. */
export interface ImportReport {
  readonly file: string;
  readonly format: string;
  readonly rows: number;
  readonly created: number;
  readonly skipped: number;
  readonly failed: number;
  /** Every row, in file order. */
  readonly outcomes: readonly RowOutcome[];
}

/** Rows listed per section in the text summary; `--json` lists them all. */
const LISTED = 20;

/** Prints the report: the whole of it with `--json`, else counts and the reasons of skipped and failed rows. */
export function printImportReport(ctx: CommandContext, report: ImportReport): void {
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const lines = [
    `Imported ${report.file} (${report.format}, ${report.rows} rows): ` +
      `${report.created} created, ${report.skipped} skipped, ${report.failed} failed.`,
  ];
  // Replays are the normal result of a re-run, so they are counted rather than listed one by one.
  const replayed = report.outcomes.filter((o) => o.status === 'skipped' && o.id !== undefined).length;
  if (replayed > 0) lines.push(`Skipped ${replayed} ${replayed === 1 ? 'row' : 'rows'} already imported by an earlier run.`);
  const sections = [
    { title: 'Skipped', rows: report.outcomes.filter((o) => o.status === 'skipped' && o.id === undefined) },
    { title: 'Failed', rows: report.outcomes.filter((o) => o.status === 'failed') },
  ];
  for (const { title, rows } of sections) {
    if (rows.length === 0) continue;
    lines.push(`${title}:`);
    for (const o of rows.slice(0, LISTED)) lines.push(`  ${o.row}: ${'reason' in o ? o.reason : ''}`);
    if (rows.length > LISTED) lines.push(`  ... and ${rows.length - LISTED} more (--json lists every row)`);
  }
  if (report.failed > 0) lines.push('Fix the failed rows and run the import again: rows already imported are skipped.');
  ctx.stdout.write(`${lines.join('\n')}\n`);
}
