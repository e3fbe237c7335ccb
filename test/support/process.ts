/**
 * Test harness: the entry point operators run (`npm start`: the compiled dist/server/main.js, which
 * `npm test` builds first) as a child process, found through its "listening" log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { recordAnswer } from './exercised.js';

/** How to start the server. */
export interface ServerProcessOptions {
  /** Settings as environment variables (DATABASE_URL, WORKERS, ...); PORT=0 and HOST=127.0.0.1 unless given. */
  env?: Record<string, string>;
  /** Extra command-line flags. */
  args?: string[];
  /** How many processes must log "listening" before the server counts as started (WORKERS=n logs n); default 1. */
  listeners?: number;
  /** How long to wait for those lines before killing the process and failing; default 20 s. */
  startTimeoutMs?: number;
}

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started server process. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>`, from the "listening" line. */
  readonly url: string;
  /** The process started (the cluster primary when WORKERS > 1). */
  readonly pid: number;
  /** The pids that logged "listening": the workers, or the process itself. */
  readonly listenerPids: readonly number[];
  /** Settles when the started process has exited and its output is read. */
  readonly exited: Promise<Exit>;
  /** True until the started process has exited. */
  isRunning(): boolean;
  /** The last lines the process group wrote, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL to the whole process group if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<Exit>;
  /** SIGKILL to the whole process group; resolves once the started process has exited. */
  kill(): Promise<Exit>;
}

/** The compiled entry point, as `npm start` runs it. */
export const MAIN = fileURLToPath(new URL('../../dist/server/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Enough of the output to explain a failure without growing without bound under load.
const KEEP_LINES = 500;
const LISTENING = /^listening on (http:\/\/\S+)$/;
// The only variables a child inherits: what node needs to run. Everything the server reads
// (DATABASE_URL, WORKERS, AUTH, ...) comes from the test, so a developer's shell can't change a result.
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];

// Process groups still running. The children have groups of their own, so nothing else stops
// them if this test process ends without its `after` hooks (an uncaught error, Ctrl-C).
const running = new Set<number>();
let hooksInstalled = false;
function track(pgid: number): void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.once('exit', () => {
      for (const id of running) killGroup(id, 'SIGKILL');
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        for (const id of running) killGroup(id, 'SIGKILL');
        process.kill(process.pid, signal);
      });
    }
  }
  running.add(pgid);
}

/** Signals every process in the group; false when none is left. */
function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until no process of the group is left, then SIGKILLs any straggler. */
async function reapGroup(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (killGroup(pgid, 0) && Date.now() < deadline) await sleep(50);
  killGroup(pgid, 'SIGKILL');
  running.delete(pgid);
}

/**
 * Starts `node dist/server/main.js` in its own process group and resolves once `listeners`
 * processes have logged "listening"; rejects (after killing the group) if it exits or times out first.
 */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const { args = [], listeners = 1, startTimeoutMs = 20_000 } = options;
  const env: NodeJS.ProcessEnv = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, options.env);

  // A group of its own, so that cluster workers can be killed with their primary.
  const child: ChildProcess = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the server process');
  track(pid);

  const lines: string[] = [];
  const remember = (line: string) => {
    lines.push(line);
    if (lines.length > KEEP_LINES) lines.shift();
  };
  const listenerPids: number[] = [];
  let listening = 0;
  let url = '';
  let onListening: () => void = () => {};

  createInterface({ input: child.stdout! }).on('line', (line) => {
    remember(line);
    let entry: { msg?: unknown; pid?: unknown; method?: unknown; path?: unknown; status?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    // The access log names each answer, not its headers: recorded for the contract coverage gate.
    if (entry.msg === 'request' && typeof entry.method === 'string' && typeof entry.path === 'string' && typeof entry.status === 'number') {
      recordAnswer(entry.method, entry.path, entry.status, null);
      return;
    }
    const match = typeof entry.msg === 'string' ? LISTENING.exec(entry.msg) : null;
    if (!match?.[1]) return;
    url = match[1];
    listening += 1;
    if (typeof entry.pid === 'number') listenerPids.push(entry.pid);
    onListening();
  });
  createInterface({ input: child.stderr! }).on('line', (line) => remember(`[stderr] ${line}`));

  let alive = true;
  child.once('exit', () => {
    alive = false;
  });
  // 'close' comes after 'exit' once the output pipes are drained, so output() is complete by then.
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const output = () => lines.join('\n');

  const kill = async (): Promise<Exit> => {
    killGroup(pid, 'SIGKILL');
    const exit = await exited;
    await reapGroup(pid, 2_000);
    return exit;
  };

  const stop = async (timeoutMs = 15_000): Promise<Exit> => {
    if (alive) child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      await kill();
      throw new Error(`the server did not exit within ${timeoutMs} ms of SIGTERM; killed it\n${output()}`);
    }
    // A primary that exits cleanly has already waited for its workers; this only catches orphans.
    await reapGroup(pid, 2_000);
    return outcome;
  };

  let timer: NodeJS.Timeout | undefined;
  const started = await Promise.race([
    new Promise<'listening'>((resolve) => {
      onListening = () => {
        if (listening >= listeners) resolve('listening');
      };
    }),
    exited,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), startTimeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (started !== 'listening') {
    await kill();
    const why =
      started === 'timeout'
        ? `did not log "listening" ${listeners} time(s) within ${startTimeoutMs} ms`
        : `exited (${JSON.stringify(started)})`;
    throw new Error(`the server ${why}\n${output()}`);
  }

  return {
    url,
    pid,
    listenerPids,
    exited,
    isRunning: () => alive,
    output,
    stop,
    kill,
  };
}

/** Stops every server given (SIGTERM, then SIGKILL), tolerating ones never started; for `after` hooks. */
export async function stopAll(servers: readonly (ServerProcess | undefined)[]): Promise<void> {
  await Promise.all(servers.map((s) => s?.stop().catch(() => s.kill())));
}
