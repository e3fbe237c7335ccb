/** Medians over rounds, the table, and the PASS/MISS verdict per target. */
import type { LoadResult } from './load.js';

/** One measured run. */
export interface Measurement extends LoadResult {
  round: number;
  scenario: string;
  target: string;
  /** Server RSS right after the run, in KiB. */
  rssKiB: number | undefined;
  /** Server CPU time (user + system) per response, in µs: steadier than req/s on a shared machine. */
  cpuUsPerRequest: number | undefined;
}

/** A scenario's two targets; the ratio is the second's req/s over the first's, per round. */
export interface ScenarioInfo {
  id: string;
  label: string;
  targets: readonly [string, string];
  ratioLabel: string;
}

/** Medians over the rounds for one scenario and target. */
export interface TargetSummary {
  target: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number | undefined;
  cpuUsPerRequest: number;
  requests: number;
  socketErrors: number;
  statusErrors: number;
}

/** Medians over the rounds for one scenario. */
export interface ScenarioSummary {
  id: string;
  label: string;
  targets: TargetSummary[];
  ratioLabel: string;
  /** The ratio per round, in round order. */
  ratios: number[];
  medianRatio: number;
  /** The same from CPU time per request (first target's µs/req over the second's), per round and median. */
  cpuRatios: number[];
  medianCpuRatio: number;
}

/** One target of the issue, checked. */
export interface Verdict {
  name: string;
  goal: string;
  measured: string;
  pass: boolean;
}

/** The median (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Summarises the measurements of every scenario. */
export function summarise(scenarios: readonly ScenarioInfo[], measurements: readonly Measurement[]): ScenarioSummary[] {
  return scenarios.map((scenario) => {
    const of = (target: string) => measurements.filter((m) => m.scenario === scenario.id && m.target === target);
    const targets = scenario.targets.map((target): TargetSummary => {
      const runs = of(target);
      const rss = runs.flatMap((m) => (m.rssKiB === undefined ? [] : [m.rssKiB]));
      return {
        target,
        rps: median(runs.map((m) => m.rps)),
        p50Ms: median(runs.map((m) => m.p50Ms)),
        p99Ms: median(runs.map((m) => m.p99Ms)),
        rssMiB: rss.length > 0 ? median(rss) / 1024 : undefined,
        cpuUsPerRequest: median(runs.flatMap((m) => (m.cpuUsPerRequest === undefined ? [] : [m.cpuUsPerRequest]))),
        requests: runs.reduce((n, m) => n + m.requests, 0),
        socketErrors: runs.reduce((n, m) => n + m.socketErrors, 0),
        statusErrors: runs.reduce((n, m) => n + m.statusErrors, 0),
      };
    });
    const [first, second] = scenario.targets;
    const rounds = [...new Set(measurements.filter((m) => m.scenario === scenario.id).map((m) => m.round))].sort((a, b) => a - b);
    const pairs = rounds.flatMap((round) => {
      const a = measurements.find((m) => m.scenario === scenario.id && m.target === first && m.round === round);
      const b = measurements.find((m) => m.scenario === scenario.id && m.target === second && m.round === round);
      return a && b ? [{ a, b }] : [];
    });
    const ratios = pairs.flatMap(({ a, b }) => (a.rps > 0 ? [b.rps / a.rps] : []));
    const cpuRatios = pairs.flatMap(({ a, b }) => (a.cpuUsPerRequest && b.cpuUsPerRequest ? [a.cpuUsPerRequest / b.cpuUsPerRequest] : []));
    return {
      id: scenario.id,
      label: scenario.label,
      targets,
      ratioLabel: scenario.ratioLabel,
      ratios,
      medianRatio: median(ratios),
      cpuRatios,
      medianCpuRatio: median(cpuRatios),
    };
  });
}

const num = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n) ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The results table, one row per scenario and target. */
export function formatTable(summaries: readonly ScenarioSummary[]): string {
  const header = ['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'RSS MiB', 'CPU µs/req', 'ratio (median)', 'per round', 'CPU ratio', 'errors'];
  const rows: string[][] = [];
  for (const s of summaries) {
    s.targets.forEach((t, i) => {
      rows.push([
        i === 0 ? s.label : '',
        t.target,
        num(t.rps),
        num(t.p50Ms, 2),
        num(t.p99Ms, 2),
        num(t.rssMiB, 1),
        num(t.cpuUsPerRequest, 1),
        i === 1 ? `${num(s.medianRatio, 2)}× ${s.ratioLabel}` : '',
        i === 1 ? s.ratios.map((r) => r.toFixed(2)).join(' ') : '',
        i === 1 ? `${num(s.medianCpuRatio, 2)}×` : '',
        t.socketErrors + t.statusErrors === 0 ? '0' : `${t.statusErrors} status, ${t.socketErrors} socket`,
      ]);
    });
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const right = new Set([2, 3, 4, 5, 6]);
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (right.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The verdict lines. */
export function formatVerdicts(verdicts: readonly Verdict[]): string {
  const width = Math.max(...verdicts.map((v) => v.name.length));
  return verdicts.map((v) => `${v.pass ? 'PASS' : 'MISS'}  ${v.name.padEnd(width)}  ${v.measured} (target ${v.goal})`).join('\n');
}
