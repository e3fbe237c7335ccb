import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { review } from '../../scripts/spec-review/review.js';

const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));
/** A fixed day, so that x-sunset dates in fixtures are past (2020) or future (2999) for good. */
const TODAY = '2026-06-01';

interface Expected {
  findings: { rule: string; level: string }[];
}

/** Reviews a fixture pair without the slower client-impact and lint passes, which have their own tests. */
export async function reviewFixture(name: string) {
  // Files that a fixture's $refs name sit beside it: `${name}/car.yaml`.
  const readRef = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
  const read = (side: string) => ({ text: readFileSync(join(FIXTURES, name, `${side}.yaml`), 'utf8'), file: `${name}/${side}.yaml`, readRef });
  return review(read('base'), read('head'), { today: TODAY, clientImpact: false, lint: false });
}

describe('spec review verdicts, one fixture pair per class of change', () => {
  for (const name of readdirSync(FIXTURES).sort()) {
    const expected = parse(readFileSync(join(FIXTURES, name, 'expected.yaml'), 'utf8')) as Expected;
    const comment = readFileSync(join(FIXTURES, name, 'expected.yaml'), 'utf8').split('\n')[0]?.replace(/^# /, '') ?? name;
    it(`${name}: ${comment}`, async () => {
      const result = await reviewFixture(name);
      const actual = [...new Set(result.findings.map((f) => `${f.rule}: ${f.level}`))].sort();
      assert.deepEqual(actual, expected.findings.map((f) => `${f.rule}: ${f.level}`).sort(), JSON.stringify(result.findings, null, 1));
    });
  }
});
