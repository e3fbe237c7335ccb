import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpProblem } from '../errors.js';
import { compileRouter } from './router.js';

const operations = [
  { operationId: 'listCars', method: 'get', path: '/cars' },
  { operationId: 'createCar', method: 'post', path: '/cars' },
  { operationId: 'getCar', method: 'get', path: '/cars/{carId}' },
  { operationId: 'deleteCar', method: 'delete', path: '/cars/{carId}' },
  { operationId: 'getDocsCss', method: 'get', path: '/docs/swagger-ui.css' },
  { operationId: 'getDocsFile', method: 'get', path: '/docs/{file}' },
];
const route = compileRouter(operations);

/** The problem a call throws. */
function problemOf(call: () => unknown): HttpProblem {
  try {
    call();
  } catch (err) {
    assert.ok(err instanceof HttpProblem, `threw ${String(err)}`);
    return err;
  }
  assert.fail('did not throw');
}

describe('compileRouter', () => {
  it('matches a literal path and a method', () => {
    assert.deepEqual(route('GET', '/cars'), { operation: operations[0], params: {} });
    assert.equal(route('POST', '/cars').operation?.operationId, 'createCar');
  });

  it('matches a templated path and returns its raw parameters', () => {
    assert.deepEqual(route('GET', '/cars/42'), { operation: operations[2], params: { carId: '42' } });
  });

  it('percent-decodes a parameter, and answers 400 for a malformed escape', () => {
    assert.deepEqual(route('GET', '/cars/a%20b'), { operation: operations[2], params: { carId: 'a b' } });
    const problem = problemOf(() => route('GET', '/cars/%E0%A4%A'));
    assert.equal(problem.status, 400);
    assert.deepEqual(problem.errors, [{ pointer: '/path/carId', message: 'is not a valid percent-encoded segment' }]);
  });

  it('ignores one trailing slash', () => {
    assert.equal(route('GET', '/cars/').operation?.operationId, 'listCars');
    assert.equal(route('GET', '/cars/7/').operation?.operationId, 'getCar');
  });

  it('prefers a literal segment over a template', () => {
    assert.equal(route('GET', '/docs/swagger-ui.css').operation?.operationId, 'getDocsCss');
    assert.deepEqual(route('GET', '/docs/other.js'), { operation: operations[5], params: { file: 'other.js' } });
  });

  it('serves HEAD wherever GET is', () => {
    assert.equal(route('HEAD', '/cars/1').operation?.operationId, 'getCar');
  });

  it('answers OPTIONS with the methods allowed, in a fixed order', () => {
    assert.deepEqual(route('OPTIONS', '/cars/1'), { allow: ['GET', 'HEAD', 'DELETE', 'OPTIONS'] });
    assert.deepEqual(route('OPTIONS', '/cars'), { allow: ['GET', 'HEAD', 'POST', 'OPTIONS'] });
  });

  it('throws 405 with Allow for a known path and another method', () => {
    const problem = problemOf(() => route('PUT', '/cars'));
    assert.equal(problem.status, 405);
    assert.equal(problem.headers.Allow, 'GET, HEAD, POST, OPTIONS');
  });

  it('throws 404 for an unknown path, an empty parameter, or a path longer than any template', () => {
    for (const path of ['/trucks', '/cars//', '/cars/1/wheels', '/']) {
      assert.equal(problemOf(() => route('GET', path)).status, 404, path);
    }
  });
});
