import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpProblem } from '../errors.js';
import { DEFAULT_LIMIT, parseSort, toListQuery } from './car-list-query.js';

/** The listing for these parameters, which must not be a problem. */
function listing(params: Parameters<typeof toListQuery>[0]) {
  const result = toListQuery(params);
  assert.ok(!(result instanceof HttpProblem), 'not a problem');
  return result;
}

describe('the GET /cars query', () => {
  it('parses sort keys in order, descending with "-", keeping the first of a repeated field', () => {
    assert.deepEqual(parseSort('model,-id,model'), [
      { field: 'model', desc: false },
      { field: 'id', desc: true },
    ]);
  });

  it('defaults to the first page by id', () => {
    assert.deepEqual(listing({}).query, { limit: DEFAULT_LIMIT, sort: [{ field: 'id', desc: false }] });
  });

  it('passes filters, the total and the limit to the store', () => {
    assert.deepEqual(listing({ limit: 5, model: 'Ford', color: 'Red', q: 'or', total: true }).query, {
      limit: 5,
      sort: [{ field: 'id', desc: false }],
      model: 'Ford',
      color: 'Red',
      q: 'or',
      withTotal: true,
    });
  });

  it('links the next page with the same parameters and a cursor that resumes after the last car', () => {
    const params = { limit: 2, sort: '-model', color: 'Red' };
    const link = listing(params).nextLink({ id: 3, model: 'Kia', color: 'Red' });
    const match = /^<(\/cars\?[^>]+)>; rel="next"$/.exec(link);
    assert.ok(match?.[1], link);
    const next = new URL(match[1], 'http://x').searchParams;
    assert.deepEqual([next.get('limit'), next.get('sort'), next.get('color')], ['2', '-model', 'Red']);
    const cursor = next.get('cursor') ?? '';
    assert.deepEqual(listing({ ...params, cursor }).query.after, { id: 3, model: 'Kia', color: 'Red' });
  });

  it('binds a cursor to its sort and filters, ignoring their case', () => {
    const cursor = new URL(/<([^>]+)>/.exec(listing({ model: 'Ford' }).nextLink({ id: 1, model: 'Ford', color: 'a' }))?.[1] ?? '', 'http://x')
      .searchParams.get('cursor') ?? '';
    assert.ok(!(toListQuery({ model: 'FORD', cursor }) instanceof HttpProblem), 'same filter in another case');
    const other = toListQuery({ model: 'Kia', cursor });
    assert.ok(other instanceof HttpProblem && other.status === 400, 'another filter is refused');
  });
});
