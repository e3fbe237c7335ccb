/** The contract test: Dredd checks every documented response of spec/cars.openapi.yaml against the running app. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { failureLines, runContract, unanswered, type ContractRun } from './run-contract.js';

describe('the running app against spec/cars.openapi.yaml (Dredd)', { timeout: 180_000 }, () => {
  let run: ContractRun;
  before(async () => {
    run = await runContract({ timeoutMs: 150_000 });
  });

  it('prints a summary and exits cleanly', (t) => {
    t.diagnostic(run.summaryLine ?? 'no summary line');
    assert.equal(run.killedBy, undefined, `Dredd was killed (${run.killedBy})`);
    assert.ok(run.summary, `Dredd printed no summary line:\n${run.output.slice(-4000)}`);
    assert.equal(run.exitCode, 0, failureLines(run.output).join('\n'));
  });

  it('has no failing or erroring transaction', () => {
    assert.equal(run.summary?.failing, 0, failureLines(run.output).join('\n'));
    assert.equal(run.summary?.errors, 0, run.output.slice(-4000));
  });

  it('skips no transaction', () => {
    assert.equal(run.summary?.skipped, 0);
  });

  it('passes at least 12 transactions', () => {
    assert.ok((run.summary?.passing ?? 0) >= 12, `only ${run.summary?.passing} passing`);
  });

  it('gets every documented status of every operation from the server', () => {
    assert.ok(run.documented.length >= 12, `the spec documents only ${run.documented.length} responses`);
    assert.deepEqual(unanswered(run), []);
  });
});
