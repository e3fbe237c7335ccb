import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReadCoalescer } from './read-coalescer.js';

/** A loader over a fixed table that records the keys of each call. */
function tableLoader(table: Record<number, string>, fail?: Error) {
  const calls: number[][] = [];
  const load = async (keys: number[]) => {
    calls.push(keys);
    if (fail) throw fail;
    return keys.filter((k) => k in table).map((k) => [k, table[k] as string] as const);
  };
  return { calls, load };
}

describe('createReadCoalescer', () => {
  it('loads the keys asked for in one turn with one call, each caller getting its own row', async () => {
    const { calls, load } = tableLoader({ 1: 'one', 2: 'two', 3: 'three' });
    const get = createReadCoalescer(load);
    assert.deepEqual(await Promise.all([get(3), get(1), get(2)]), ['three', 'one', 'two']);
    assert.deepEqual(calls, [[3, 1, 2]]);
  });

  it('answers undefined for a key with no row', async () => {
    const get = createReadCoalescer(tableLoader({ 1: 'one' }).load);
    assert.deepEqual(await Promise.all([get(1), get(404)]), ['one', undefined]);
  });

  it('asks for a key once when several callers want it', async () => {
    const { calls, load } = tableLoader({ 7: 'seven' });
    const get = createReadCoalescer(load);
    assert.deepEqual(await Promise.all([get(7), get(7), get(7)]), ['seven', 'seven', 'seven']);
    assert.deepEqual(calls, [[7]]);
  });

  it('starts a new load for keys asked for after the last one was sent', async () => {
    const { calls, load } = tableLoader({ 1: 'one', 2: 'two' });
    const get = createReadCoalescer(load);
    assert.equal(await get(1), 'one');
    assert.equal(await get(2), 'two');
    assert.deepEqual(calls, [[1], [2]]);
  });

  it('splits a turn with more than maxBatch keys into several loads', async () => {
    const table = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [i, `car ${i}`]));
    const { calls, load } = tableLoader(table);
    const get = createReadCoalescer(load, { maxBatch: 2 });
    assert.deepEqual(await Promise.all([0, 1, 2, 3, 4].map(get)), ['car 0', 'car 1', 'car 2', 'car 3', 'car 4']);
    assert.deepEqual(calls, [[0, 1], [2, 3], [4]]);
  });

  it('rejects every caller of a failed load with its error', async () => {
    const fault = new Error('database down');
    const failing = tableLoader({}, fault);
    const get = createReadCoalescer(failing.load);
    const results = await Promise.allSettled([get(1), get(2), get(1)]);
    assert.deepEqual(
      results.map((r) => r.status === 'rejected' && r.reason),
      [fault, fault, fault],
    );
    assert.deepEqual(failing.calls, [[1, 2]]);
  });
});
