/**
 * npm run test:reliability: the reliability scenarios (test/reliability/*.test.ts) one file at a
 * time, since each loads the machine, then their RESULT lines again at the end. RELIABILITY_LONG=1
 * selects the long version; arguments keep only the files whose path contains one of them.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const DIR = join('test', 'reliability');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join(DIR, f))
  .filter((f) => process.argv.length <= 2 || process.argv.slice(2).some((only) => f.includes(only)))
  .sort();
if (files.length === 0) {
  process.stderr.write('no reliability test matched\n');
  process.exit(1);
}

const results: string[] = [];
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
createInterface({ input: child.stdout }).on('line', (line) => {
  process.stdout.write(`${line}\n`);
  const result = /RESULT .*/.exec(line);
  if (result) results.push(result[0]);
});
child.on('close', (code, signal) => {
  const mode = process.env.RELIABILITY_LONG === '1' ? 'long' : 'short';
  process.stdout.write(`\nreliability results (${mode} mode):\n${results.map((r) => `  ${r}`).join('\n')}\n`);
  process.exit(code ?? (signal ? 1 : 0));
});
