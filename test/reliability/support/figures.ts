/** Figures for the result lines: latency percentiles, process RSS, and the one-line report. */
import { readFileSync } from 'node:fs';

/** Latencies in ms, kept whole (a million samples is 8 MB) so percentiles are exact. */
export class Latencies {
  private values = new Float64Array(1024);
  private size = 0;

  add(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  /** The q-quantile (0..1) in ms, nearest rank; NaN when empty. */
  quantile(q: number): number {
    if (this.size === 0) return Number.NaN;
    const sorted = this.values.slice(0, this.size).sort();
    return sorted[Math.min(this.size - 1, Math.max(0, Math.ceil(q * this.size) - 1))] ?? Number.NaN;
  }
}

/** Resident set size of a process in kB, from /proc/<pid>/status; undefined where there is no /proc. */
export function rssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s*(\d+)\s*kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** kB as MB with one decimal, or "n/a". */
export const mb = (kb: number | undefined) => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(1)}MB`);

/** ms with one decimal. */
export const ms = (value: number) => `${value.toFixed(1)}ms`;

/** Prints the scenario's single result line, `RESULT <scenario>: k=v k=v ...`, and returns it. */
export function resultLine(scenario: string, figures: Record<string, string | number | boolean>): string {
  const line = `RESULT ${scenario}: ${Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
  console.log(line);
  return line;
}
