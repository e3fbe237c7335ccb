/** The processes a bench runs: servers pinned to one core, found by a free port, stopped cleanly. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository root: servers run from here, as `npm start` does. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Whether a command is on the PATH. */
export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Command prefixes that pin servers to CPU 0 and the load to CPU 1, or nothing where that's not possible. */
export function cpuPinning(): { server: string[]; load: string[]; pinned: boolean } {
  if (availableParallelism() < 2 || !hasCommand('taskset')) return { server: [], load: [], pinned: false };
  return { server: ['taskset', '-c', '0'], load: ['taskset', '-c', '1'], pinned: true };
}

/** What gc-on-signal.mjs writes once a collection has run, and how long to wait for it. */
const GC_DONE = 'bench-gc: done\n';
const GC_TIMEOUT_MS = 10_000;

/** A port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A server the bench started. */
export interface BenchServer {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Resident set size now, in KiB, from /proc/<pid>/status (undefined where /proc is missing). */
  rssKiB(): number | undefined;
  /** CPU time used so far (user + system), in seconds, from /proc/<pid>/stat. */
  cpuSeconds(): number | undefined;
  /**
   * Sends SIGUSR2 and waits for the server's `bench-gc: done` on stderr: a full garbage
   * collection, for a server started with gc-on-signal.mjs (see targets.ts).
   */
  collectGarbage(): Promise<void>;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/** What to start. */
export interface ServerSpec {
  name: string;
  /** The node arguments after the flags, with `{port}` replaced by the chosen port. */
  args: readonly string[];
  nodeFlags?: readonly string[];
  env?: Record<string, string>;
  /** Command prefix, e.g. `taskset -c 0`; it must exec node so the pid is node's. */
  pin: readonly string[];
  /** Sent with the readiness probe. */
  headers?: Record<string, string>;
}

/** Starts and tracks servers; `stopAll()` ends every one still running. */
export function createFleet() {
  const running = new Set<BenchServer>();
  const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

  async function start(spec: ServerSpec): Promise<BenchServer> {
    const port = await freePort();
    const argv = [...spec.pin, process.execPath, ...(spec.nodeFlags ?? []), ...spec.args.map((a) => a.replaceAll('{port}', String(port)))];
    const child: ChildProcess = spawn(argv[0] as string, argv.slice(1), {
      cwd: ROOT,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let gcDone: (() => void) | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      if (gcDone && stderr.includes(GC_DONE)) {
        stderr = stderr.replaceAll(GC_DONE, '');
        gcDone();
        gcDone = undefined;
      }
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let alive = true;
    void exited.then(() => (alive = false));
    const url = `http://127.0.0.1:${port}`;

    const pid = child.pid;
    if (pid === undefined) throw new Error(`${spec.name}: could not start ${argv.join(' ')}`);
    const server: BenchServer = {
      name: spec.name,
      url,
      pid,
      rssKiB() {
        try {
          const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
          return match?.[1] === undefined ? undefined : Number(match[1]);
        } catch {
          return undefined;
        }
      },
      cpuSeconds() {
        try {
          // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return (Number(fields[11]) + Number(fields[12])) / clockTicks;
        } catch {
          return undefined;
        }
      },
      async collectGarbage() {
        const done = new Promise<void>((resolve) => (gcDone = resolve));
        child.kill('SIGUSR2');
        const timeout = setTimeout(() => gcDone?.(), GC_TIMEOUT_MS);
        await Promise.race([done, exited]);
        clearTimeout(timeout);
        if (!alive) throw new Error(`${spec.name} exited on SIGUSR2: ${stderr.trim()}`);
        if (gcDone) throw new Error(`${spec.name}: no "${GC_DONE.trim()}" within ${GC_TIMEOUT_MS} ms of SIGUSR2`);
      },
      async stop() {
        running.delete(server);
        if (!alive) return;
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(kill);
      },
    };
    running.add(server);

    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!alive) throw new Error(`${spec.name} exited before answering: ${stderr.trim()}`);
      try {
        const res = await fetch(`${url}/healthz`, { headers: spec.headers ?? {}, signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.ok) return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`${spec.name} did not answer /healthz within 60 s: ${stderr.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return {
    start,
    async stopAll(): Promise<void> {
      await Promise.all([...running].map((s) => s.stop()));
    },
    /** Synchronous last resort for process exit: SIGKILL what is left. */
    killAll(): void {
      for (const s of running) {
        try {
          process.kill(s.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}
