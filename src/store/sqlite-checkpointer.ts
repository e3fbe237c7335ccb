/** WAL checkpoints on a worker thread with its own connection, so that no request pays for one. */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// The worker: a second connection that copies the WAL back into the database every interval.
// PASSIVE never waits for readers or writers; what it cannot copy now it copies next time.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename);
db.pragma('busy_timeout = 0');
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: next time */ } };
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); checkpoint(); db.close(); parentPort.close(); });
`;

/** A running checkpointer. */
export interface Checkpointer {
  /** Runs a last checkpoint and ends the worker. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `filename` every `intervalMs`. The caller turns SQLite's automatic
 * checkpoint off on its own connection, and back on through `onFailure` if the worker dies,
 * so the WAL can never grow without bound.
 */
export function startCheckpointer(filename: string, { intervalMs = 200, onFailure }: { intervalMs?: number; onFailure: (err: unknown) => void }): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { filename, intervalMs, driver } });
  let stopping = false;
  worker.unref();
  worker.on('error', (err) => onFailure(err));
  worker.on('exit', (code) => {
    if (!stopping) onFailure(new Error(`the checkpoint worker exited with code ${code}`));
  });
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      // Keep the process alive until the last checkpoint is done (the worker is unref'd).
      worker.ref();
      const exited = once(worker, 'exit');
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
