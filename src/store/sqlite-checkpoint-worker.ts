/**
 * The program the SQLite checkpoint worker runs (see sqlite-checkpointer.ts), as plain JavaScript
 * source for `new Worker(source, { eval: true })`. A string rather than a file of its own: the
 * server ships as one esbuild bundle, and a worker file would need a second entry point and a path
 * that differs between the bundle and tsx. Kept small because nothing type-checks it.
 */

/** What the worker tells the store's thread. */
export type CheckpointWorkerReport =
  /** The worker keeps the WAL bounded: the writer may stop checkpointing itself. */
  | 'ready'
  /**
   * The worker can't keep the WAL bounded for now (a checkpoint failed, or RESTART can't get the
   * write lock while the WAL grows): the writer checkpoints itself until the next 'ready'.
   */
  | 'fallback'
  /** Two passes in a row found every frame copied back; none runs until a write sends 'wake'. */
  | 'idle';

/** What the store's thread tells the worker. */
export type CheckpointWorkerCommand = 'wake' | 'stop';

/** What the worker is started with, as `workerData`. */
export interface CheckpointWorkerData {
  /** The resolved path of better-sqlite3, which an eval'd worker cannot find by name from any directory. */
  driver: string;
  filename: string;
  intervalMs: number;
  failingIntervalMs: number;
  restartFrames: number;
  fallbackFrames: number;
  busyTimeoutMs: number;
}

/** The worker's source; it reads CheckpointWorkerData, answers CheckpointWorkerCommand and posts CheckpointWorkerReport. */
export const CHECKPOINT_WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { filename, intervalMs, failingIntervalMs, restartFrames, fallbackFrames, busyTimeoutMs } = workerData;

const db = new Database(filename, { fileMustExist: true });
// Bounds how long a RESTART waits for the write lock and for readers, and so how long it can
// hold back the writer, which retries between turns of its event loop.
db.pragma('busy_timeout = ' + busyTimeoutMs);
// As on the writer: a checkpoint fsyncs the WAL before copying it and the database after.
db.pragma('synchronous = NORMAL');

let timer;
let fallback = false;
// The WAL's frame count when the last pass found every frame copied back, else -1.
let copiedTo = -1;
const later = (ms) => { timer = setTimeout(pass, ms); };
const tell = (next) => {
  if (next !== fallback) parentPort.postMessage(next ? 'fallback' : 'ready');
  fallback = next;
};

function pass() {
  timer = undefined;
  let result;
  try {
    // PASSIVE copies what it can without taking the write lock; under sustained writes it never
    // catches up, so the WAL is never reset. RESTART takes the write lock, copies the rest, and
    // makes the next commit write from the start of the WAL again.
    [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result.log > restartFrames) [result] = db.pragma('wal_checkpoint(RESTART)');
  } catch {
    tell(true);
    copiedTo = -1;
    later(failingIntervalMs);
    return;
  }
  // A writer that is almost never out of its lock (a loop of writes with no other work) can keep
  // RESTART out for good. The writer's own checkpoints then bound the WAL until it is short again.
  if (result.log <= restartFrames) tell(false);
  else if (result.busy !== 0 && result.log > fallbackFrames) tell(true);
  // A pass reports the WAL as it was when the pass began, so one that copied everything says
  // nothing about frames written meanwhile; a second pass that finds the same WAL does.
  const copied = result.busy === 0 && result.checkpointed === result.log ? result.log : -1;
  if (copied >= 0 && copied === copiedTo) parentPort.postMessage('idle');
  else later(intervalMs);
  copiedTo = copied;
}

parentPort.on('message', (command) => {
  if (command === 'wake') {
    if (timer === undefined) later(intervalMs);
  } else if (command === 'stop') {
    clearTimeout(timer);
    db.close();
    process.exit(0);
  }
});
parentPort.postMessage('ready');
later(intervalMs);
`;
