/**
 * Runs every test file (src/**\/*.test.ts and test/**\/*.test.ts) on node's test runner, with tsx,
 * then, when every file ran, the contract coverage gate over what the test servers recorded.
 * `--shuffle` runs the files, and the tests inside each describe, in a random order
 * (TEST_SHUFFLE_SEED replays one), to show that no test depends on another's leftovers.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXERCISED_DIR_ENV } from '../test/support/exercised.js';
import { contractCoverage, DEFAULT_RECORDS_DIR, DEFAULT_REPORT, type RunMarker } from './contract-coverage.js';

const shuffle = process.argv.includes('--shuffle');
const roots = ['src', 'test'];
const filters = process.argv.slice(2).filter((arg) => arg !== '--shuffle');
const files = roots
  .flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f)))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((only) => f.includes(only)))
  .sort();

if (files.length === 0) {
  process.stderr.write('no test files matched\n');
  process.exit(1);
}
if (shuffle) {
  for (let i = files.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [files[i], files[j]] = [files[j] as string, files[i] as string];
  }
}
const preload = shuffle ? ['--import', './test/support/shuffle.ts'] : [];
// Tests that start the server as a process run the compiled entry point (test/support/process.ts),
// so it is rebuilt from the current sources first.
const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

// Each test process appends what its servers answered here (test/support/exercised.ts).
const recordsDir = resolve(DEFAULT_RECORDS_DIR);
rmSync(recordsDir, { recursive: true, force: true });
mkdirSync(recordsDir, { recursive: true });
const result = spawnSync(process.execPath, ['--import', 'tsx', ...preload, '--test', ...files], {
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
