/** Lints the spec with Redocly CLI and the ruleset in redocly.yaml; a failure lists each problem as file:line:col, rule and message. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The part of `redocly lint --format=json` this test reads. */
interface LintReport {
  totals: { errors: number; warnings: number };
  problems: {
    ruleId: string;
    severity: string;
    message: string;
    location: { source: { ref: string }; pointer?: string; start?: { line: number; col: number } }[];
  }[];
}

/** One line per problem, in the `file:line:col` form editors and CI logs link to. */
function describeProblems(report: LintReport): string {
  return report.problems
    .map(({ ruleId, severity, message, location: [where] }) => {
      const at = where ? `${where.source.ref}:${where.start?.line ?? '?'}:${where.start?.col ?? '?'}` : '?';
      return `${at}  ${severity}  ${ruleId}  ${message}${where?.pointer ? `  (${where.pointer})` : ''}`;
    })
    .join('\n');
}

describe('spec/cars.openapi.yaml', () => {
  it('passes redocly lint with the ruleset in redocly.yaml', (t) => {
    const result = spawnSync('node_modules/.bin/redocly', ['lint', 'spec/cars.openapi.yaml', '--format=json'], {
      cwd: root,
      encoding: 'utf8',
      // No telemetry and no update check: CI has no network, and the test must not wait for one.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      timeout: 120_000,
    });
    assert.equal(result.error, undefined, `could not run redocly: ${result.error?.message}`);
    let report: LintReport;
    try {
      report = JSON.parse(result.stdout) as LintReport;
    } catch {
      assert.fail(`redocly lint did not answer JSON (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    // Warnings leave the exit code at 0; show them anyway so that they are seen.
    // One diagnostic per problem: reporters print each on its own line.
    if (report.totals.warnings > 0) for (const line of describeProblems(report).split('\n')) t.diagnostic(line);
    assert.equal(
      result.status,
      0,
      `redocly lint found ${report.totals.errors} error(s), ${report.totals.warnings} warning(s):\n${describeProblems(report)}`,
    );
  });
});
