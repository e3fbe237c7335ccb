/** The bench's start-up section (`--only startup`): builds nothing itself, seeds a store, measures, prints. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuPinning, ROOT } from './processes.js';
import { formatVerdicts } from './report.js';
import { seedStore } from './seed.js';
import { measureStartup } from './startup.js';
import type { TargetOptions } from './targets.js';

/** Builds the compiled server from the current sources (`npm run build`), so no section measures a stale bundle. */
export function buildServer(): void {
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
}

/** The store the start-up runs open: as many cars as the main bench store. */
const STARTUP_CARS = 10_000;

/** Runs the start-up section, prints its verdicts and writes bench/startup.json; 0 when it ran. */
export async function runStartupSection(o: { startupRuns: number; target: TargetOptions }, log: (line: string) => void): Promise<number> {
  const dir = join(ROOT, 'bench', 'stores');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `cars-${STARTUP_CARS}-startup.db`);
  await seedStore(file, STARTUP_CARS);
  const pin = cpuPinning();
  log(
    `startup: the compiled server (dist/server/main.js, as npm start runs it) on a SQLite file of ${STARTUP_CARS.toLocaleString('en-US')} cars, ` +
      `${pin.pinned ? 'pinned to CPU 0' : 'not pinned'}; ${o.startupRuns} measured starts after one unmeasured`,
  );
  const startedAt = new Date();
  const result = await measureStartup(file, o.target, o.startupRuns, log);
  log('');
  log(formatVerdicts(result.verdicts));
  log('');
  const out = join(ROOT, 'bench', 'startup.json');
  writeFileSync(out, `${JSON.stringify({ startedAt: startedAt.toISOString(), node: process.version, cars: STARTUP_CARS, ...result }, null, 2)}\n`);
  log(`wrote ${out}`);
  return 0;
}
