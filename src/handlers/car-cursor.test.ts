import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpProblem } from '../errors.js';
import { decodeCursor, encodeCursor } from './car-cursor.js';

const car = { id: 7, model: 'Ford', color: 'Black' };

/** The detail of the 400 problem a decode gives. */
function refusal(result: unknown): string {
  assert.ok(result instanceof HttpProblem, `a problem, not ${JSON.stringify(result)}`);
  assert.equal(result.status, 400);
  assert.equal(result.type, 'urn:cars-api:problem:invalid-cursor');
  assert.deepEqual(result.errors?.map((e) => e.pointer), ['/query/cursor']);
  return result.message;
}

describe('keyset cursors', () => {
  it('decode to the car they were made from, for the same query', () => {
    assert.deepEqual(decodeCursor(encodeCursor('q1', car), 'q1'), car);
  });

  it('keep only the sort fields of a car', () => {
    const stored = { ...car, revision: 9 };
    assert.deepEqual(decodeCursor(encodeCursor('q', stored), 'q'), car);
  });

  it('are refused for another query', () => {
    assert.match(refusal(decodeCursor(encodeCursor('q1', car), 'q2')), /other sort or filters/);
  });

  it('are refused when altered, truncated or made up', () => {
    const cursor = encodeCursor('q', car);
    const [data = '', sum = ''] = cursor.split('.');
    const altered = `${Buffer.from(JSON.stringify({ v: 1, q: 'q', k: { ...car, id: 8 } })).toString('base64url')}.${sum}`;
    for (const bad of [altered, data, `${cursor}.x`, '', 'garbage', `${data}.${sum.slice(1)}`]) {
      assert.match(refusal(decodeCursor(bad, 'q')), /malformed/, bad);
    }
  });
});
