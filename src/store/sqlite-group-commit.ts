/** Group commit for SQLite: the writes that arrive in one turn of the event loop share one transaction. */
import type Database from 'better-sqlite3';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/** The most writes one transaction carries; more wait for the next one. */
const MAX_BATCH = 256;

/**
 * Returns `write(work)`: `work` is a better-sqlite3 transaction function, which inside the
 * batch's transaction runs as a SAVEPOINT, so a write that fails (a refused condition, a bug)
 * rolls back alone. Every promise settles only after the shared COMMIT, so an acknowledged
 * write is as durable as before; a failed COMMIT rejects the whole batch. A commit costs about
 * as much as the writes in it, so under concurrent load this halves the cost of each write.
 */
export function createGroupCommit(
  db: Database.Database,
  run: <T>(work: () => T) => Promise<T>,
  translate: (err: unknown) => unknown,
) {
  let queue: Pending[] = [];
  let scheduled = false;

  const commitBatch = db.transaction((ops: Pending[]) => {
    for (const op of ops) {
      try {
        op.outcome = { ok: true, value: op.work() };
      } catch (error) {
        op.outcome = { ok: false, error };
      }
    }
  });

  async function flush(): Promise<void> {
    const ops = queue.splice(0, MAX_BATCH);
    scheduled = queue.length > 0;
    if (scheduled) setImmediate(() => void flush());
    try {
      // `run` waits out another process's write lock and tries the whole batch again.
      await run(() => commitBatch.immediate(ops));
    } catch (err) {
      for (const op of ops) op.reject(err);
      return;
    }
    for (const op of ops) {
      const outcome = op.outcome;
      if (outcome?.ok) op.resolve(outcome.value);
      else op.reject(translate(outcome?.error));
    }
  }

  return function write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
  };
}
