/** The contract coverage matrix and its gate, from records like the ones the test servers write. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSpec } from '../../src/spec.js';
import type { ExchangeRecord } from '../support/exercised.js';
import { documentedResponses } from './run-contract.js';
import { buildCoverage, coverageMarkdown, gateFailures } from './coverage.js';

const spec = loadSpec();
const record = (r: Partial<ExchangeRecord> & Pick<ExchangeRecord, 'method' | 'status'>): ExchangeRecord => ({
  suite: 'http',
  template: null,
  operationId: null,
  carried: [],
  lookedAt: [],
  count: 1,
  ...r,
});

/** One record per documented response, as if one suite had exercised them all. */
function everyResponse(suite: string): ExchangeRecord[] {
  return documentedResponses(spec).map((key) => {
    const [method = '', template = '', status = ''] = key.split(' ');
    const operationId = (spec.paths?.[template] as Record<string, { operationId: string }>)[method.toLowerCase()]?.operationId ?? null;
    return record({ suite, method, template, operationId, status: Number(status) });
  });
}

describe('contract coverage', () => {
  it('has a row per documented (operation, status), and passes when each was exercised', () => {
    const coverage = buildCoverage(spec, everyResponse('contract'));
    assert.equal(coverage.rows.length, documentedResponses(spec).length);
    assert.deepEqual(gateFailures(coverage), []);
    assert.match(coverageMarkdown(coverage, { generatedAt: 'now' }), /\*\*Gate: pass\.\*\*/);
  });

  it('fails on a documented response no suite exercised', () => {
    const records = everyResponse('contract').filter((r) => !(r.operationId === 'getCar' && r.status === 304));
    assert.deepEqual(gateFailures(buildCoverage(spec, records)), ['documented but exercised by no suite: GET /cars/{carId} 304']);
  });

  it('fails on a status an operation does not document, naming the suite', () => {
    const records = [...everyResponse('contract'), record({ suite: 'cli', method: 'GET', template: '/healthz', operationId: 'getHealth', status: 503 })];
    const failures = gateFailures(buildCoverage(spec, records));
    assert.equal(failures.length, 1);
    assert.match(failures[0] ?? '', /^cli saw 503 from GET \/healthz \(getHealth\)/);
  });

  it('counts a 405 for every operation at its path, and lists OPTIONS and unknown paths apart', () => {
    const coverage = buildCoverage(spec, [
      record({ method: 'DELETE', template: '/cars', status: 405, carried: ['allow'] }),
      record({ method: 'OPTIONS', template: '/cars', status: 204 }),
      record({ method: 'GET', status: 404 }),
    ]);
    const row = (op: string, status: string) => coverage.rows.find((r) => r.operationId === op && r.status === status);
    assert.deepEqual(row('listCars', '405')?.suites, { http: 1 });
    assert.deepEqual(row('createCar', '405')?.suites, { http: 1 });
    assert.deepEqual(row('createCar', '405')?.headers, [{ name: 'Allow', carriedBy: ['http'], lookedAtBy: [] }]);
    assert.deepEqual(coverage.outside.map((o) => `${o.method} ${o.path} ${o.status}`), ['GET null 404', 'OPTIONS /cars 204']);
  });

  it('records headers looked at apart from answers, without counting the answer twice', () => {
    const coverage = buildCoverage(spec, [
      record({ method: 'GET', template: '/cars/{carId}', operationId: 'getCar', status: 200, carried: ['etag'] }),
      record({ method: 'GET', template: '/cars/{carId}', operationId: 'getCar', status: 200, carried: null, lookedAt: ['etag'] }),
    ]);
    const row = coverage.rows.find((r) => r.operationId === 'getCar' && r.status === '200');
    assert.deepEqual(row?.suites, { http: 1 });
    assert.deepEqual(row?.headers, [{ name: 'ETag', carriedBy: ['http'], lookedAtBy: ['http'] }]);
  });
});
