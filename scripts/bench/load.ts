/** Runs one load against a URL in a separate process: wrk when installed, otherwise autocannon. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WRITE_FIELDS } from './cars.js';
import type { Workload } from './workload.js';

/** Which load generator drives the runs. */
export type LoadTool = 'wrk' | 'autocannon';

/** Everything one load run needs; passed as JSON to the autocannon process. */
export interface LoadSpec {
  url: string;
  workload: Workload;
  connections: number;
  /** How long to run; with `amount`, the most it may run. */
  durationSeconds: number;
  /** Stop after this many responses (0: run for the duration). */
  amount: number;
  headers: Record<string, string>;
}

/** What one run measured. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors and timeouts. */
  socketErrors: number;
  /** Responses with status >= 400. */
  statusErrors: number;
}

interface RawResult {
  requests: number;
  durationUs: number;
  p50Us: number;
  p99Us: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  statusErrors: number;
  timeouts: number;
}

const WRK_SCRIPT = fileURLToPath(new URL('./wrk.lua', import.meta.url));
const AUTOCANNON_RUNNER = fileURLToPath(new URL('./autocannon-load.ts', import.meta.url));

/** The argv that runs this load with this tool, before any CPU pinning. */
function command(tool: LoadTool, spec: LoadSpec): string[] {
  if (tool === 'autocannon') return [process.execPath, '--import', 'tsx', AUTOCANNON_RUNNER, JSON.stringify(spec)];
  const w = spec.workload;
  const args = [
    w.kind,
    String('maxId' in w ? w.maxId : 1),
    String('limit' in w ? w.limit : 20),
    String('idBase' in w ? w.idBase : 0),
    String(spec.amount),
    WRITE_FIELDS.model,
    WRITE_FIELDS.color,
    ...Object.entries(spec.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  // One thread: the load has one core, and 50 connections on one epoll loop keep it busy.
  return ['wrk', '-t1', `-c${spec.connections}`, `-d${spec.durationSeconds}s`, '--timeout', '10s', '-s', WRK_SCRIPT, spec.url, '--', ...args];
}

/** Runs the load as a child process (behind `pin`, e.g. `taskset -c 1`) and parses its BENCH_RESULT line. */
export function runLoad(tool: LoadTool, spec: LoadSpec, pin: readonly string[]): Promise<LoadResult> {
  const [file, ...args] = [...pin, ...command(tool, spec)];
  return new Promise((resolve, reject) => {
    const child = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let stopping = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // wrk.lua's signal that the amount is done; SIGINT makes wrk report at once (see wrk.lua).
      if (tool === 'wrk' && out.includes('BENCH_AMOUNT_REACHED') && !stopping) {
        stopping = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`${tool} exited ${code}: ${(err || out).trim().slice(-2000)}`));
        return;
      }
      const raw = JSON.parse(line.slice('BENCH_RESULT '.length)) as RawResult;
      const seconds = raw.durationUs / 1e6;
      resolve({
        requests: raw.requests,
        seconds,
        rps: seconds > 0 ? raw.requests / seconds : 0,
        p50Ms: raw.p50Us / 1000,
        p99Ms: raw.p99Us / 1000,
        socketErrors: raw.connectErrors + raw.readErrors + raw.writeErrors + raw.timeouts,
        statusErrors: raw.statusErrors,
      });
    });
  });
}
