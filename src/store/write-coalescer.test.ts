import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWriteCoalescer, type KeyedWrite } from './write-coalescer.js';

/** A writer that records each batch and answers `key:input` for every write in it. */
function recordingWriter(fail?: Error) {
  const batches: KeyedWrite<number, string>[][] = [];
  const writeMany = async (writes: readonly KeyedWrite<number, string>[]) => {
    batches.push([...writes]);
    if (fail) throw fail;
    return new Map(writes.map((w) => [w.key, `${w.key}:${w.input}`]));
  };
  return { batches, writeMany };
}

describe('createWriteCoalescer', () => {
  it('sends the writes of one turn as one batch, each caller getting its own outcome', async () => {
    const { batches, writeMany } = recordingWriter();
    const write = createWriteCoalescer(writeMany);
    assert.deepEqual(await Promise.all([write(2, 'b'), write(1, 'a'), write(3, 'c')]), ['2:b', '1:a', '3:c']);
    assert.deepEqual(
      batches.map((b) => b.map((w) => w.key)),
      [[2, 1, 3]],
    );
  });

  it('puts a key written again into a later batch, in the order the writes came', async () => {
    const { batches, writeMany } = recordingWriter();
    const write = createWriteCoalescer(writeMany);
    assert.deepEqual(await Promise.all([write(1, 'first'), write(2, 'x'), write(1, 'second'), write(1, 'third')]), [
      '1:first',
      '2:x',
      '1:second',
      '1:third',
    ]);
    assert.deepEqual(
      batches.map((b) => b.map((w) => w.input)),
      [['first', 'x'], ['second'], ['third']],
    );
  });

  it('splits a turn with more than maxBatch writes into several batches', async () => {
    const { batches, writeMany } = recordingWriter();
    const write = createWriteCoalescer(writeMany, { maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((k) => write(k, 'v')));
    assert.deepEqual(
      batches.map((b) => b.map((w) => w.key)),
      [[1, 2], [3, 4], [5]],
    );
  });

  it('rejects every write of a failed batch with its error', async () => {
    const fault = new Error('database down');
    const write = createWriteCoalescer(recordingWriter(fault).writeMany);
    const results = await Promise.allSettled([write(1, 'a'), write(2, 'b')]);
    assert.deepEqual(
      results.map((r) => r.status === 'rejected' && r.reason),
      [fault, fault],
    );
  });

  it('rejects a write whose key the batch left without an outcome', async () => {
    const write = createWriteCoalescer<number, string, string>(async (writes) => new Map([[writes[0]?.key ?? 0, 'only the first']]));
    const [first, second] = await Promise.allSettled([write(1, 'a'), write(2, 'b')]);
    assert.deepEqual(first, { status: 'fulfilled', value: 'only the first' });
    assert.ok(second?.status === 'rejected' && /no outcome for 2/.test(String(second.reason)));
  });
});
