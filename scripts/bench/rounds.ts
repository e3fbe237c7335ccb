/** The measured part of every bench table: a warm-up per scenario and target, then interleaved rounds. */
import type { LoadResult } from './load.js';
import type { BenchServer } from './processes.js';
import type { Measurement, ScenarioInfo } from './report.js';
import type { Workload } from './workload.js';

/** A scenario and the traffic it sends; `idBase` keeps each run's POST ids apart. */
export interface RoundScenario extends ScenarioInfo {
  workload(idBase: number): Workload;
}

/** What the rounds run against, and how long. */
export interface RoundsSpec {
  scenarios: readonly RoundScenario[];
  servers: Readonly<Record<string, BenchServer>>;
  load(server: BenchServer, workload: Workload, seconds: number): Promise<LoadResult>;
  /** A fresh range of POST ids for each run. */
  nextIdBase(): number;
  rounds: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Column widths of the progress lines. */
  labelWidth: number;
  targetWidth: number;
  log(line: string): void;
}

/** One run's result as a progress line. */
export const formatRun = (r: LoadResult) =>
  `${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms` +
  (r.statusErrors + r.socketErrors > 0 ? `  ERRORS ${r.statusErrors} status ${r.socketErrors} socket` : '');

/** Warms every target up, then runs the rounds, each scenario's targets back to back; returns every measured run. */
export async function measureRounds(s: RoundsSpec): Promise<Measurement[]> {
  const line = (prefix: string, scenario: RoundScenario, target: string, r: LoadResult) =>
    s.log(`${prefix}  ${scenario.label.padEnd(s.labelWidth)} ${target.padEnd(s.targetWidth)} ${formatRun(r)}`);
  for (const scenario of s.scenarios) {
    for (const target of scenario.targets) {
      line('warm-up', scenario, target, await s.load(s.servers[target] as BenchServer, scenario.workload(s.nextIdBase()), s.warmupSeconds));
    }
  }
  const measurements: Measurement[] = [];
  for (let round = 1; round <= s.rounds; round++) {
    for (const scenario of s.scenarios) {
      for (const target of scenario.targets) {
        const server = s.servers[target] as BenchServer;
        const cpuBefore = server.cpuSeconds();
        const r = await s.load(server, scenario.workload(s.nextIdBase()), s.durationSeconds);
        const cpuAfter = server.cpuSeconds();
        const cpuUsPerRequest =
          cpuBefore === undefined || cpuAfter === undefined || r.requests === 0 ? undefined : ((cpuAfter - cpuBefore) * 1e6) / r.requests;
        measurements.push({ ...r, round, scenario: scenario.id, target, rssKiB: server.rssKiB(), cpuUsPerRequest });
        line(`round ${round}`, scenario, target, r);
      }
    }
  }
  return measurements;
}
