/**
 * Coalesces concurrent writes by key: the writes submitted in one turn of the event loop go to the
 * database together, one call of `writeMany` for up to `maxBatch` distinct keys. For PostgreSQL
 * that is one statement, one round trip and one commit (one WAL flush) for many PUTs.
 */

/** One write in a batch. */
export interface KeyedWrite<K, I> {
  key: K;
  input: I;
}

/** Writes a batch of distinct keys at once and returns each key's outcome. */
export type WriteMany<K, I, O> = (writes: readonly KeyedWrite<K, I>[]) => Promise<ReadonlyMap<K, O>>;

/** Options for the coalescer. */
export interface WriteCoalescerOptions {
  /** The most writes one batch carries; more wait for the next one. */
  maxBatch?: number;
}

interface Pending<K, I, O> extends KeyedWrite<K, I> {
  resolve: (outcome: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Returns `write(key, input)`. A key submitted again before its batch was sent goes in a later
 * batch, because one statement may change a row only once. A batch that fails rejects each of its
 * writes with the same error; a key missing from the outcomes rejects its write.
 */
export function createWriteCoalescer<K, I, O>(writeMany: WriteMany<K, I, O>, { maxBatch = 256 }: WriteCoalescerOptions = {}) {
  let queue: Pending<K, I, O>[] = [];
  let scheduled = false;

  const schedule = () => {
    scheduled = true;
    // setImmediate: the writes whose requests were read in this turn's I/O have all arrived.
    setImmediate(flush);
  };

  function flush(): void {
    scheduled = false;
    const batch: Pending<K, I, O>[] = [];
    const keys = new Set<K>();
    const later: Pending<K, I, O>[] = [];
    for (const write of queue) {
      if (batch.length < maxBatch && !keys.has(write.key)) {
        keys.add(write.key);
        batch.push(write);
      } else {
        later.push(write);
      }
    }
    queue = later;
    if (later.length > 0) schedule();
    void send(batch);
  }

  async function send(batch: Pending<K, I, O>[]): Promise<void> {
    let outcomes: ReadonlyMap<K, O>;
    try {
      outcomes = await writeMany(batch);
    } catch (err) {
      for (const write of batch) write.reject(err);
      return;
    }
    for (const write of batch) {
      const outcome = outcomes.get(write.key);
      if (outcome === undefined) write.reject(new Error(`the batch returned no outcome for ${String(write.key)}`));
      else write.resolve(outcome);
    }
  }

  return function write(key: K, input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      queue.push({ key, input, resolve, reject });
      if (!scheduled) schedule();
    });
  };
}
