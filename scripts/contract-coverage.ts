/**
 * `npm run contract:coverage`: builds the contract coverage matrix from what the test servers
 * recorded during the last full `npm test`, writes it as Markdown and JSON, and exits 1 when a
 * documented response was exercised by no suite or a suite saw a status its operation doesn't document.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSpec } from '../src/spec.js';
import { buildCoverage, coverageMarkdown, gateFailures, readRecords } from '../test/contract/coverage.js';
import { EXERCISED_DIR_ENV } from '../test/support/exercised.js';

/** Where `npm test` has the servers record, and where the matrix is written. */
export const DEFAULT_RECORDS_DIR = 'test-artifacts/exercised';
export const DEFAULT_REPORT = 'test-artifacts/contract-coverage.md';

const HELP = `Usage: npm run contract:coverage -- [options]

Reads the records the test servers wrote during the last full \`npm test\` (${DEFAULT_RECORDS_DIR},
or $${EXERCISED_DIR_ENV}), writes the matrix of documented responses × suites as Markdown and JSON,
and exits 1 when a documented response was exercised by no suite or a suite saw a status its
operation does not document; 2 when there are no records of a full run.

  --records <dir>   the records (default ${DEFAULT_RECORDS_DIR})
  --output <file>   the Markdown report; the JSON goes beside it (default ${DEFAULT_REPORT})
  --help            print this help`;

/** What the test run wrote beside the records. */
export interface RunMarker {
  /** False when `npm test` ran only some files, so the records cannot cover every response. */
  complete: boolean;
  files: number;
  finishedAt: string;
}

/** Builds and writes the report; returns the exit code and prints a short summary. */
export function contractCoverage(recordsDir: string, output: string, log: (line: string) => void): number {
  const markerPath = join(recordsDir, 'run.json');
  if (!existsSync(markerPath)) {
    log(`contract coverage: no records in ${recordsDir}; run \`npm test\` (all files) first`);
    return 2;
  }
  const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as RunMarker;
  if (!marker.complete) {
    log(`contract coverage: the records in ${recordsDir} are from a partial run (${marker.files} files); run \`npm test\` with no filter`);
    return 2;
  }
  const coverage = buildCoverage(loadSpec(), readRecords(recordsDir));
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, coverageMarkdown(coverage, { generatedAt: marker.finishedAt }));
  const jsonPath = output.replace(/\.md$/, '') + '.json';
  writeFileSync(jsonPath, `${JSON.stringify({ generatedAt: marker.finishedAt, ...coverage }, null, 2)}\n`);
  const failures = gateFailures(coverage);
  const exercised = coverage.rows.length - coverage.unexercised.length;
  log(
    `contract coverage: ${exercised}/${coverage.rows.length} documented responses exercised by ${coverage.suites.length} suites; ` +
      `${coverage.undocumented.length} undocumented statuses seen; matrix in ${relative(process.cwd(), output)} and ${relative(process.cwd(), jsonPath)}`,
  );
  for (const failure of failures) log(`contract coverage: FAIL: ${failure}`);
  return failures.length === 0 ? 0 : 1;
}

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: { records: { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`contract:coverage: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const records = values.records ?? process.env[EXERCISED_DIR_ENV] ?? DEFAULT_RECORDS_DIR;
  return contractCoverage(records, values.output ?? DEFAULT_REPORT, (line) => process.stdout.write(`${line}\n`));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main();
