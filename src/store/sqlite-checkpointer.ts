/**
 * WAL checkpoints on a worker thread with a connection of its own, so that no batch of writes
 * stalls the event loop for a checkpoint's two fsyncs (2.5–4 ms each time under PUT load, about
 * 20 times a second, when the writer checkpoints itself every 1,000 pages).
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import {
  CHECKPOINT_WORKER_SOURCE,
  type CheckpointWorkerCommand,
  type CheckpointWorkerData,
  type CheckpointWorkerReport,
} from './sqlite-checkpoint-worker.js';

/** When and how the worker checkpoints. */
export interface CheckpointPolicy {
  /** The pause between two passes while the WAL holds frames not yet copied back, in ms. */
  intervalMs: number;
  /** The pause between two passes while checkpoints fail, in ms. */
  failingIntervalMs: number;
  /** A pass that finds more frames than this in the WAL runs a RESTART checkpoint. */
  restartFrames: number;
  /**
   * When RESTART can't get the write lock and the WAL has more frames than this, the writer
   * checkpoints itself again until the WAL is back under `restartFrames`.
   */
  fallbackFrames: number;
  /** The worker connection's busy timeout, in ms. */
  busyTimeoutMs: number;
}

/**
 * The policy the server runs with. Measured under PUT load with 2 KiB pages: PASSIVE every 50 ms
 * and RESTART above 20,000 frames ran a RESTART about once a second, 2.6 ms each (the remainder
 * after the last pass, and the fsyncs), and kept the WAL under 24,000 frames, about 50 MB, below
 * the writer's 64 MiB journal_size_limit. The busy timeout is 50 ms: long enough for RESTART to
 * find a gap between the writer's batches, short enough that a RESTART waiting on another
 * process's reader holds the writer back for 1 % of the writer's 5 s retry budget at most.
 */
export const DEFAULT_CHECKPOINT_POLICY: Readonly<CheckpointPolicy> = Object.freeze({
  intervalMs: 50,
  failingIntervalMs: 1_000,
  restartFrames: 20_000,
  fallbackFrames: 30_000,
  busyTimeoutMs: 50,
});

// close() waits this long for the worker to finish its pass and close its connection, then ends it.
const STOP_TIMEOUT_MS = 1_000;

/** How a store's checkpointer runs; tests shorten the policy and reach the worker. */
export interface CheckpointerOptions extends Partial<CheckpointPolicy> {
  /** Called with the worker when it starts (a test hook: terminating it shows what a crash does). */
  onWorker?: (worker: Worker) => void;
}

/** The checkpointer of one connection. */
export interface Checkpointer {
  /** Called on every write: the first starts the worker, and one after a quiet spell wakes it. */
  wrote(): void;
  /** Ends the worker, waiting for it a bounded time, and gives checkpoints back to the writer. */
  stop(): Promise<void>;
}

/**
 * Makes the checkpointer for `db`, the writer's connection to the WAL-mode file `filename`. The
 * writer keeps checkpointing itself (wal_autocheckpoint) until the worker reports ready, and again
 * whenever the worker fails or is gone, so the WAL is never left without a checkpointer.
 */
export function createCheckpointer(db: Database.Database, filename: string, options: CheckpointerOptions = {}): Checkpointer {
  const { onWorker, ...overrides } = options;
  const policy: CheckpointPolicy = { ...DEFAULT_CHECKPOINT_POLICY, ...overrides };
  const autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  let state: 'unstarted' | 'running' | 'done' = 'unstarted';
  let worker: Worker | undefined;
  let idle = false;

  const checkpointOnWrites = (pages: number) => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${pages}`);
  };
  // A worker that died is not started again: whatever killed it (a driver that can't load in a
  // worker, memory) would most likely kill the next one, and the writer checkpoints as it did.
  const gone = () => {
    if (state !== 'running') return;
    state = 'done';
    worker = undefined;
    idle = false;
    checkpointOnWrites(autocheckpoint);
  };
  const report = (message: CheckpointWorkerReport) => {
    if (state !== 'running') return;
    if (message === 'ready') checkpointOnWrites(0);
    else if (message === 'fallback') checkpointOnWrites(autocheckpoint);
    else idle = true;
  };
  const send = (command: CheckpointWorkerCommand) => worker?.postMessage(command);

  const start = () => {
    state = 'running';
    const workerData: CheckpointWorkerData = {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      filename: resolve(filename),
      ...policy,
    };
    try {
      // No execArgv: the source is plain JavaScript, and the parent's flags (tsx's loader in dev
      // and tests, a bench preload) would only cost the worker start-up time and memory.
      worker = new Worker(CHECKPOINT_WORKER_SOURCE, { eval: true, workerData, execArgv: [] });
    } catch {
      gone();
      return;
    }
    // Never what keeps the process alive; close() holds it for its bounded wait.
    worker.unref();
    worker.on('message', report);
    // An uncaught error in the worker, or its exit, hands checkpoints back to the writer; the
    // listener also keeps the 'error' from being thrown on this thread.
    worker.on('error', gone);
    worker.on('exit', gone);
    onWorker?.(worker);
  };

  return {
    wrote() {
      if (idle) {
        idle = false;
        send('wake');
      } else if (state === 'unstarted') start();
    },
    async stop() {
      const stopping = worker;
      gone();
      state = 'done';
      if (!stopping) return;
      stopping.ref();
      const exited = new Promise((done) => stopping.once('exit', done));
      stopping.postMessage('stop' satisfies CheckpointWorkerCommand);
      const force = setTimeout(() => void stopping.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(force);
    },
  };
}
