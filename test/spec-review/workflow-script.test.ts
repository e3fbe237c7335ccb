import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';

const MAIN = fileURLToPath(new URL('../../scripts/spec-review/main.ts', import.meta.url));
const BASE = readFileSync(fileURLToPath(new URL('fixtures/basic-response-added/base.yaml', import.meta.url)), 'utf8');
const TSX = import.meta.resolve('tsx');
const WORKFLOW = fileURLToPath(new URL('../../.github/workflows/spec-review.yml', import.meta.url));

/**
 * The entry script that .github/workflows/spec-review.yml runs, on a temporary git repository
 * with a base commit and a head commit per case, as the workflow runs it against the PR's base.
 */
describe('scripts/spec-review/main.ts, as the pull-request workflow runs it', () => {
  let repo = '';
  const git = (...args: string[]) => {
    const result = spawnSync('git', ['-c', 'user.name=spec review test', '-c', 'user.email=spec-review@test.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  };
  const run = (args: string[], env: Record<string, string> = {}) => {
    const result = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: '', ...env }, timeout: 120_000 });
    assert.equal(result.error, undefined, `could not run the review: ${result.error?.message}`);
    return result;
  };
  /** Starts a case: a branch at the base commit, with the head commit that `edit` makes. */
  const headCommit = (name: string, edit: (spec: string) => string, config?: string) => {
    git('checkout', '-q', '-B', name, 'base');
    writeFileSync(join(repo, 'openapi.yaml'), edit(BASE));
    if (config === undefined) rmSync(join(repo, 'spec-review.yaml'), { force: true });
    else writeFileSync(join(repo, 'spec-review.yaml'), config);
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', name);
  };
  const removeDelete = (spec: string) => spec.replace(/ {4}delete:\n(?: {6}.*\n)+/, '');
  const waiver = (expires: string) =>
    ['# Waivers for this repository', 'waivers:', '  - rule: api-removed-without-deprecation', "    at: 'DELETE /cars/{carId}'", '    reason: nobody called it (access logs, 90 days)', `    expires: ${expires}`, ''].join('\n');

  before(() => {
    repo = mkdtempSync(join(tmpdir(), 'spec-review-'));
    git('init', '-q');
    writeFileSync(join(repo, 'openapi.yaml'), BASE);
    git('add', 'openapi.yaml');
    git('commit', '-q', '-m', 'base');
    git('branch', 'base');
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('breaking: exits 1, annotates the base line of the removal, writes the job summary, JSON, JUnit and Markdown', () => {
    headCommit('breaking', removeDelete);
    const summary = join(repo, 'summary.md');
    const result = run(['base', '--spec', 'openapi.yaml', '--format', 'github', '--write', 'markdown=review.md', '--write', 'json=review.json', '--write', 'junit=review.xml', '--today', '2026-06-01'], {
      GITHUB_STEP_SUMMARY: summary,
    });
    assert.equal(result.status, 1, result.stderr);
    const line = BASE.split('\n').findIndex((l) => l === '    delete:') + 1;
    assert.match(result.stdout, new RegExp(`^::error file=openapi.yaml,line=${line},title=api-removed-without-deprecation%3A DELETE /cars/\\{carId\\}::operation removed`, 'm'));
    const markdown = readFileSync(join(repo, 'review.md'), 'utf8');
    assert.equal(readFileSync(summary, 'utf8'), markdown);
    assert.match(markdown, /❌ \*\*Fails: unwaived errors/);
    assert.match(markdown, /Types removed: `operations\["deleteCar"\]`/);
    const json = JSON.parse(readFileSync(join(repo, 'review.json'), 'utf8')) as { failed: boolean; counts: { error: number } };
    assert.equal(json.failed, true);
    assert.equal(json.counts.error, 1);
    assert.match(readFileSync(join(repo, 'review.xml'), 'utf8'), /failures="1"/);
  });

  it('non-breaking: exits 0 with only info findings, against HEAD~1', () => {
    headCommit('non-breaking', (spec) => spec.replaceAll('        id:\n          type: integer\n          minimum: 1\n', '        id:\n          type: integer\n          minimum: 1\n        nickname:\n          type: string\n'));
    const result = run(['HEAD~1', '--spec', 'openapi.yaml', '--format', 'json', '--no-lint', '--no-client-impact']);
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { counts: Record<string, number>; findings: { rule: string }[] };
    assert.deepEqual(json.counts, { error: 0, warning: 0, info: 2, waived: 0 });
    assert.deepEqual(json.findings.map((f) => f.rule), ['new-optional-request-property', 'response-optional-property-added']);
  });

  it('waived: exits 0 and shows the waiver with its reason', () => {
    headCommit('waived', removeDelete, waiver('2026-12-31'));
    const result = run(['base', '--spec', 'openapi.yaml', '--no-lint', '--no-client-impact', '--today', '2026-06-01']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /### Waived \(1\)/);
    assert.match(result.stdout, /nobody called it \(access logs, 90 days\) \| 2026-12-31 \|/);
  });

  it('expired waiver: exits 1 and annotates the waiver in spec-review.yaml', () => {
    headCommit('expired', removeDelete, waiver('2026-05-31'));
    const result = run(['base', '--spec', 'openapi.yaml', '--format', 'github', '--no-lint', '--no-client-impact', '--today', '2026-06-01']);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /^::error file=spec-review.yaml,line=3,title=expired waiver%3A api-removed-without-deprecation::waiver for DELETE \/cars\/\{carId\} expired 2026-05-31/m);
  });

  it('malformed config: exits 2 naming the file and line', () => {
    headCommit('malformed', removeDelete, 'severity:\n  api-removed-without-deprecation: blocker\n');
    const result = run(['base', '--spec', 'openapi.yaml', '--no-lint', '--no-client-impact']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^spec-review: spec-review.yaml:2: level of api-removed-without-deprecation must be error, warning or info/);
  });

  it('compares two files with --base-file and --head-file, outside git', () => {
    git('checkout', '-q', 'base');
    writeFileSync(join(repo, 'a.yaml'), BASE);
    writeFileSync(join(repo, 'b.yaml'), BASE.replace("        '404':\n          description: Not found.\n", ''));
    const result = run(['--base-file', 'a.yaml', '--head-file', 'b.yaml', '--no-lint', '--no-client-impact', '--format', 'junit']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /name="response-non-success-status-removed: GET \/cars\/\{carId\} response 404"/);
  });

  it('reads a file that a $ref names at the same git ref, and judges the change inside it', () => {
    git('checkout', '-q', '-B', 'external', 'base');
    // Car moves to schemas/car.yaml, then loses its required `color` there.
    const car = BASE.slice(BASE.indexOf('    Car:\n') + '    Car:\n'.length).replace(/^ {4}/gm, '');
    const spec = BASE.slice(0, BASE.indexOf('    Car:\n')) + "    Car:\n      $ref: 'schemas/car.yaml'\n";
    rmSync(join(repo, 'spec-review.yaml'), { force: true });
    mkdirSync(join(repo, 'schemas'), { recursive: true });
    writeFileSync(join(repo, 'openapi.yaml'), spec);
    writeFileSync(join(repo, 'schemas', 'car.yaml'), car);
    git('add', 'openapi.yaml', 'schemas/car.yaml');
    git('commit', '-q', '-m', 'external base');
    const head = car.replace('  - color\n', '').replace(/ {4}color:\n(?: {6}.*\n)+/, '');
    writeFileSync(join(repo, 'schemas', 'car.yaml'), head);
    git('commit', '-q', '-am', 'external head');
    const result = run(['HEAD~1', '--spec', 'openapi.yaml', '--format', 'json', '--no-lint', '--no-client-impact']);
    assert.equal(result.status, 1, result.stderr);
    const json = JSON.parse(result.stdout) as { findings: { rule: string; file: string; line: number }[] };
    const removed = json.findings.find((f) => f.rule === 'response-required-property-removed');
    assert.deepEqual([removed?.file, removed?.line], ['schemas/car.yaml', car.split('\n').indexOf('    color:') + 1]);

    // A file that cannot be read is a warning, not a silent pass.
    writeFileSync(join(repo, 'openapi.yaml'), spec.replace('schemas/car.yaml', 'schemas/truck.yaml'));
    const missing = run(['HEAD', '--spec', 'openapi.yaml', '--format', 'json', '--no-lint', '--no-client-impact']);
    const warned = (JSON.parse(missing.stdout) as { findings: { rule: string; message: string }[] }).findings.filter((f) => f.rule === 'external-ref-unreadable');
    assert.equal(warned.length, 1, missing.stdout);
    assert.match(warned[0]?.message ?? '', /cannot read schemas\/truck.yaml/);
    git('checkout', '-q', '--', 'openapi.yaml');
  });

  it('exits 2 with the usage for a ref that does not exist, or a spec that is not OpenAPI', () => {
    git('checkout', '-q', 'base');
    const missing = run(['no-such-ref', '--spec', 'openapi.yaml']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read openapi.yaml at no-such-ref/);
    writeFileSync(join(repo, 'c.yaml'), 'swagger: "2.0"\n');
    const swagger = run(['--base-file', 'c.yaml', '--head-file', 'a.yaml']);
    assert.equal(swagger.status, 2);
    assert.match(swagger.stderr, /c.yaml:1: only OpenAPI 3.0 and 3.1 documents can be reviewed/);
  });
});

describe('.github/workflows/spec-review.yml', () => {
  it('runs on pull requests: lint, generated-code drift, the review against the PR base, contract tests, one updated comment', () => {
    const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as { on: Record<string, unknown>; jobs: Record<string, { steps: { run?: string; uses?: string; with?: Record<string, string> }[] }> };
    assert.ok('pull_request' in workflow.on);
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const runs = steps.map((s) => s.run ?? '').join('\n');
    assert.match(runs, /npm run lint:spec/);
    assert.match(runs, /npm run generate[\s\S]*git diff --exit-code -- generated/);
    assert.match(runs, /npm run spec:review -- "\$BASE_SHA" --format github --write markdown=spec-review\.md/);
    assert.match(runs, /npm run test:contract/);
    const comment = steps.find((s) => s.uses?.startsWith('actions/github-script'));
    assert.match(comment?.with?.script ?? '', /<!-- spec-review -->/);
    assert.match(comment?.with?.script ?? '', /updateComment/);
  });
});
