/**
 * Runs every test file (src/**\/*.test.ts and test/**\/*.test.ts) on node's test runner, with tsx.
 * `--shuffle` runs the files, and the tests inside each describe, in a random order
 * (TEST_SHUFFLE_SEED replays one), to show that no test depends on another's leftovers.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const shuffle = process.argv.includes('--shuffle');
const only = process.argv.slice(2).filter((arg) => arg !== '--shuffle');
const roots = ['src', 'test'];
const files = roots
  .flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f)))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
  .filter((f) => only.length === 0 || only.some((part) => f.includes(part)))
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
const result = spawnSync(process.execPath, ['--import', 'tsx', ...preload, '--test', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
