/**
 * Coalesces concurrent lookups by key: the keys asked for in one turn of the event loop are
 * loaded together, by one call of `load`, and each caller gets its own row. For PostgreSQL that
 * is one statement and one round trip for many GETs, where one per GET would each pay a write to
 * the database's socket and a wake-up of both sides (see README: Performance, On PostgreSQL).
 */

/** Loads the rows of many keys at once; a key with no row is left out of the result. */
export type LoadMany<K, V> = (keys: K[]) => Promise<Iterable<readonly [K, V]>>;

/** Options for the coalescer. */
export interface ReadCoalescerOptions {
  /** The most keys one load carries; more wait for the next one. */
  maxBatch?: number;
}

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Returns `get(key)`. A load that fails rejects every caller of its batch with the same error.
 * Callers of the same key in one batch get the same row object, so none may change it.
 */
export function createReadCoalescer<K, V>(load: LoadMany<K, V>, { maxBatch = 256 }: ReadCoalescerOptions = {}) {
  let pending = new Map<K, Waiter<V>[]>();
  let scheduled = false;

  function flush(): void {
    const batch = pending;
    pending = new Map();
    scheduled = false;
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += maxBatch) void loadPart(batch, keys.slice(start, start + maxBatch));
  }

  async function loadPart(batch: Map<K, Waiter<V>[]>, keys: K[]): Promise<void> {
    let rows: Map<K, V>;
    try {
      rows = new Map(await load(keys));
    } catch (err) {
      for (const key of keys) for (const waiter of batch.get(key) ?? []) waiter.reject(err);
      return;
    }
    for (const key of keys) {
      const row = rows.get(key);
      for (const waiter of batch.get(key) ?? []) waiter.resolve(row);
    }
  }

  return function get(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
      if (!scheduled) {
        scheduled = true;
        // setImmediate, not a microtask: the requests whose bytes arrived in this turn's I/O have
        // all been read by then, so they share the load.
        setImmediate(flush);
      }
    });
  };
}
