/**
 * The start-up figures: from starting the compiled entry point (what `npm start` runs) to its
 * first answered `GET /cars/{id}`, and its RSS once idle after that, on a SQLite file store.
 * `npm run bench -- --only startup` runs them alone.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { median, type Verdict } from './report.js';
import { freePort, ROOT } from './processes.js';
import { STARTUP_TARGETS, realServer, type TargetOptions } from './targets.js';

/** One start: milliseconds to the first answer, and idle RSS in KiB. */
export interface StartupSample {
  firstAnswerMs: number;
  /** CPU time (user + system) the server had used by its first answer: what a busy machine moves least. */
  cpuMsToFirstAnswer: number;
  idleRssKiB: number;
}

/** What the start-up check measured, with its verdicts. */
export interface StartupResult {
  samples: StartupSample[];
  firstAnswerMs: number;
  cpuMsToFirstAnswer: number;
  idleRssMiB: number;
  verdicts: Verdict[];
}

/** How long the server sits idle before its RSS is read. */
const IDLE_MS = 2_000;
/** A start that takes longer than this has failed. */
const START_TIMEOUT_MS = 30_000;

/** CPU time a process has used, in ms, from /proc/<pid>/stat (utime and stime, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the server once, polls until `GET /cars/1` answers 200, idles, reads RSS, stops it. */
async function startOnce(databaseFile: string, o: TargetOptions): Promise<StartupSample> {
  const spec = realServer('startup', databaseFile, o);
  const port = await freePort();
  const argv = [...spec.pin, process.execPath, ...(spec.nodeFlags ?? []), ...spec.args.map((a) => a.replaceAll('{port}', String(port)))];
  const url = `http://127.0.0.1:${port}/cars/1`;
  const started = performance.now();
  const child = spawn(argv[0] as string, argv.slice(1), { cwd: ROOT, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let alive = true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => (alive = false));
  try {
    let firstAnswerMs: number | undefined;
    let cpuMsToFirstAnswer = Number.NaN;
    while (firstAnswerMs === undefined) {
      if (!alive) throw new Error(`the server exited before answering: ${stderr.trim()}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`no answer within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`);
      try {
        const res = await fetch(url, { headers: o.headers, signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`GET /cars/1 answered ${res.status}`);
        firstAnswerMs = performance.now() - started;
        cpuMsToFirstAnswer = cpuMs(child.pid as number);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('GET /cars/1')) throw err;
        // Not listening yet: a refused connection costs well under a millisecond, so poll often.
        await sleep(2);
      }
    }
    await sleep(IDLE_MS);
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    if (match?.[1] === undefined) throw new Error('no VmRSS in /proc/<pid>/status');
    return { firstAnswerMs, cpuMsToFirstAnswer, idleRssKiB: Number(match[1]) };
  } finally {
    if (alive) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }
}

/** Starts the compiled server `runs` times on `databaseFile` and reports the medians. */
export async function measureStartup(databaseFile: string, o: TargetOptions, runs: number, log: (line: string) => void): Promise<StartupResult> {
  const samples: StartupSample[] = [];
  // One start first, not counted: it pays for the page cache being cold (the bundle, node itself).
  await startOnce(databaseFile, o);
  for (let run = 1; run <= runs; run++) {
    const sample = await startOnce(databaseFile, o);
    samples.push(sample);
    log(`startup  run ${run}  first answer ${sample.firstAnswerMs.toFixed(0)} ms (server CPU ${sample.cpuMsToFirstAnswer} ms)  idle RSS ${(sample.idleRssKiB / 1024).toFixed(1)} MiB`);
  }
  const firstAnswerMs = median(samples.map((s) => s.firstAnswerMs));
  const cpuMsToFirstAnswer = median(samples.map((s) => s.cpuMsToFirstAnswer));
  const idleRssMiB = median(samples.map((s) => s.idleRssKiB)) / 1024;
  const verdicts: Verdict[] = [
    {
      name: 'start to first answered GET /cars/{id}',
      goal: `≤ ${STARTUP_TARGETS.firstAnswerMs} ms`,
      measured: `${firstAnswerMs.toFixed(0)} ms (median of ${runs}; server CPU ${cpuMsToFirstAnswer} ms)`,
      pass: firstAnswerMs <= STARTUP_TARGETS.firstAnswerMs,
    },
    {
      name: `idle RSS ${IDLE_MS / 1000} s after that answer`,
      goal: `≤ ${STARTUP_TARGETS.idleRssMiB} MiB`,
      measured: `${idleRssMiB.toFixed(1)} MiB (median of ${runs})`,
      pass: idleRssMiB <= STARTUP_TARGETS.idleRssMiB,
    },
  ];
  return { samples, firstAnswerMs, cpuMsToFirstAnswer, idleRssMiB, verdicts };
}
