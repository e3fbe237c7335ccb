/**
 * Runs every test file (src/**\/*.test.ts and test/**\/*.test.ts) on node's test runner, with tsx,
 * then, when every file ran, the contract coverage gate over what the test servers recorded.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXERCISED_DIR_ENV } from '../test/support/exercised.js';
import { contractCoverage, DEFAULT_RECORDS_DIR, DEFAULT_REPORT, type RunMarker } from './contract-coverage.js';

const roots = ['src', 'test'];
const filters = process.argv.slice(2);
const files = roots
  .flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f)))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((only) => f.includes(only)))
  .sort();

if (files.length === 0) {
  process.stderr.write('no test files matched\n');
  process.exit(1);
}

// Each test process appends what its servers answered here (test/support/exercised.ts).
const recordsDir = resolve(DEFAULT_RECORDS_DIR);
rmSync(recordsDir, { recursive: true, force: true });
mkdirSync(recordsDir, { recursive: true });
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], {
  stdio: 'inherit',
  env: { ...process.env, [EXERCISED_DIR_ENV]: recordsDir },
});
const marker: RunMarker = { complete: filters.length === 0, files: files.length, finishedAt: new Date().toISOString() };
writeFileSync(join(recordsDir, 'run.json'), `${JSON.stringify(marker)}\n`);

// node --test runs files concurrently, so the gate can only judge once all of them have finished.
let gate = 0;
if (filters.length === 0) gate = contractCoverage(recordsDir, resolve(DEFAULT_REPORT), (line) => process.stdout.write(`${line}\n`));
else process.stdout.write('contract coverage: skipped (only some test files ran)\n');
process.exit(result.status === 0 && gate === 0 ? 0 : (result.status ?? 1) || gate);
