/** Runs every test file (src/**\/*.test.ts and test/**\/*.test.ts) on node's test runner, with tsx. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['src', 'test'];
const files = roots
  .flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f)))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
  .filter((f) => process.argv.length <= 2 || process.argv.slice(2).some((only) => f.includes(only)))
  .sort();

if (files.length === 0) {
  process.stderr.write('no test files matched\n');
  process.exit(1);
}
// Tests that start the server as a process run the compiled entry point (test/support/process.ts),
// so it is rebuilt from the current sources first.
const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
