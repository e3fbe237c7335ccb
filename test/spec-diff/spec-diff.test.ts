import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { RULES, diffSpecs, isMajorBump, renderMarkdown } from '../../src/spec-diff/index.js';

const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../scripts/spec-diff.ts', import.meta.url));
const SPEC = fileURLToPath(new URL('../../spec/cars.openapi.yaml', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** The classification of every rule, pinned here so that a change to the catalogue is a visible test change. */
const EXPECTED: Record<string, 'breaking' | 'non-breaking'> = {
  'path-removed': 'breaking',
  'operation-removed': 'breaking',
  'response-removed': 'breaking',
  'media-type-removed': 'breaking',
  'parameter-removed': 'breaking',
  'parameter-required': 'breaking',
  'request-body-required': 'breaking',
  'request-property-required': 'breaking',
  'request-property-removed': 'breaking',
  'request-type-narrowed': 'breaking',
  'request-enum-narrowed': 'breaking',
  'request-limit-tightened': 'breaking',
  'request-additional-properties-closed': 'breaking',
  'response-property-removed': 'breaking',
  'response-property-optional': 'breaking',
  'response-type-changed': 'breaking',
  'response-enum-widened': 'breaking',
  'response-header-removed': 'breaking',
  'security-changed': 'breaking',
  'schema-changed-unclassified': 'breaking',
  'path-added': 'non-breaking',
  'operation-added': 'non-breaking',
  'response-added': 'non-breaking',
  'media-type-added': 'non-breaking',
  'parameter-added': 'non-breaking',
  'parameter-optional': 'non-breaking',
  'request-body-optional': 'non-breaking',
  'request-property-added': 'non-breaking',
  'request-property-optional': 'non-breaking',
  'request-type-widened': 'non-breaking',
  'request-enum-widened': 'non-breaking',
  'request-limit-loosened': 'non-breaking',
  'request-additional-properties-opened': 'non-breaking',
  'response-property-added': 'non-breaking',
  'response-property-required': 'non-breaking',
  'response-type-narrowed': 'non-breaking',
  'response-enum-narrowed': 'non-breaking',
  'response-limit-changed': 'non-breaking',
  'response-header-added': 'non-breaking',
};

function fixture(rule: string, side: 'base' | 'head'): string {
  return readFileSync(join(FIXTURES, rule, `${side}.yaml`), 'utf8');
}

/** Runs `scripts/spec-diff.ts` as `npm run spec:diff` does, in `cwd`. */
function runCli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, ['--import', TSX, SCRIPT, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.error, undefined, `could not run spec:diff: ${result.error?.message}`);
  return result;
}

describe('spec:diff classification', () => {
  it('has one fixture pair per rule, and every rule is classified in this test', () => {
    const fixtures = readdirSync(FIXTURES).sort();
    assert.deepEqual(fixtures, Object.keys(RULES).sort(), 'test/spec-diff/fixtures/<rule>/ for every rule in src/spec-diff/rules.ts');
    assert.deepEqual(Object.keys(EXPECTED).sort(), fixtures);
  });

  for (const [rule, expected] of Object.entries(EXPECTED)) {
    it(`classifies ${rule} as ${expected}`, async () => {
      const diff = await diffSpecs(fixture(rule, 'base'), fixture(rule, 'head'));
      assert.ok(diff.changes.length > 0, `no change found in fixtures/${rule}`);
      assert.deepEqual([...new Set(diff.changes.map((c) => c.rule))], [rule], JSON.stringify(diff.changes, null, 2));
      for (const change of diff.changes) assert.equal(change.breaking, expected === 'breaking');
      assert.equal(diff.failed, expected === 'breaking', 'fails only on breaking changes, all fixtures being version 1.0.0');
    });
  }

  it('finds no change between the real spec and itself', async () => {
    const text = readFileSync(SPEC, 'utf8');
    const diff = await diffSpecs(text, text);
    assert.deepEqual(diff.changes, []);
    assert.equal(diff.failed, false);
  });

  it('reports a change to a shared schema at every place that uses it, in that direction', async () => {
    const base = fixture('request-limit-tightened', 'base');
    // Car (responses) and CarCreate (requests) both get a shorter model: breaking only for requests.
    const head = base.replaceAll('maxLength: 100', 'maxLength: 50');
    const diff = await diffSpecs(base, head);
    const rules = diff.changes.map((c) => `${c.rule} @ ${c.where}`).sort();
    assert.deepEqual(rules, [
      'request-limit-tightened @ POST /cars request body (application/json) /model',
      'response-limit-changed @ GET /cars/{carId} response 200 (application/json) /model',
      'response-limit-changed @ POST /cars response 201 (application/json) /model',
    ]);
  });

  it('does not report a renamed path parameter', async () => {
    const base = fixture('operation-removed', 'base');
    const head = base.replaceAll('{carId}', '{id}').replace('name: carId', 'name: id');
    assert.deepEqual((await diffSpecs(base, head)).changes, []);
  });
});

describe('isMajorBump', () => {
  it('compares the major numbers of info.version', () => {
    assert.equal(isMajorBump('1.0.0', '2.0.0'), true);
    assert.equal(isMajorBump('1.4.2', '1.5.0'), false);
    assert.equal(isMajorBump('v1', 'v2'), true);
    assert.equal(isMajorBump('2.0.0', '1.9.0'), false);
    assert.equal(isMajorBump('1.0.0', 'next'), false);
    assert.equal(isMajorBump(undefined, '2.0.0'), false);
    assert.equal(isMajorBump('9.0.0', '10.0.0'), true);
  });
});

describe('renderMarkdown', () => {
  it('lists breaking changes first, in a table, with the verdict', async () => {
    const diff = await diffSpecs(fixture('operation-removed', 'base'), fixture('operation-removed', 'head'), { base: 'main', head: 'this branch' });
    const markdown = renderMarkdown(diff);
    assert.match(markdown, /^## API contract changes: `main` → `this branch`/);
    assert.match(markdown, /❌ \*\*1 breaking change, 0 non-breaking changes\*\*/);
    assert.match(markdown, /### Breaking changes \(1\)\n\n\| Rule \| Where \| Change \|\n\| --- \| --- \| --- \|\n\| `operation-removed` \| DELETE \/cars\/\{carId\} \| operation removed \|/);
  });

  it('escapes pipes so that a pattern does not split a table cell', async () => {
    const base = fixture('request-limit-tightened', 'base');
    const doc = parseDocument(base);
    doc.setIn(['components', 'schemas', 'CarCreate', 'properties', 'model', 'pattern'], '^(a|b)$');
    const head = String(doc);
    const markdown = renderMarkdown(await diffSpecs(base, head));
    assert.match(markdown, /\| `request-limit-tightened` \| .* \| pattern "\^\(a\\\|b\)\$" added \|/);
    for (const line of markdown.split('\n').filter((l) => l.startsWith('| `'))) {
      assert.equal(line.split(/(?<!\\)\|/).length, 5, line);
    }
  });
});

describe('npm run spec:diff', () => {
  it('exits 1 on a breaking change with --base-file, and prints the Markdown report', () => {
    const rule = 'operation-removed';
    const result = runCli(['--base-file', join(FIXTURES, rule, 'base.yaml'), '--head-file', join(FIXTURES, rule, 'head.yaml')], FIXTURES);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /\| `operation-removed` \| DELETE \/cars\/\{carId\} \|/);
  });

  it('exits 0 on non-breaking changes only', () => {
    const rule = 'request-property-added';
    const result = runCli(['--base-file', join(FIXTURES, rule, 'base.yaml'), '--head-file', join(FIXTURES, rule, 'head.yaml')], FIXTURES);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✅ \*\*0 breaking changes, 1 non-breaking change\*\*/);
  });

  describe('against a git ref', () => {
    let repo: string;
    const git = (...args: string[]) => {
      const result = spawnSync('git', ['-c', 'user.name=spec-diff test', '-c', 'user.email=spec-diff@test.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });
      assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
    };
    const specPath = () => join(repo, 'spec', 'cars.openapi.yaml');
    /** The real spec, edited as a YAML document so that the rest of it stays as written. */
    const editSpec = (edit: (doc: ReturnType<typeof parseDocument>) => void) => {
      const doc = parseDocument(readFileSync(SPEC, 'utf8'));
      edit(doc);
      writeFileSync(specPath(), String(doc));
    };

    before(() => {
      repo = mkdtempSync(join(tmpdir(), 'spec-diff-'));
      mkdirSync(join(repo, 'spec'));
      writeFileSync(specPath(), readFileSync(SPEC, 'utf8'));
      git('init', '-q');
      git('add', 'spec/cars.openapi.yaml');
      git('commit', '-q', '-m', 'base');
    });
    after(() => rmSync(repo, { recursive: true, force: true }));

    it('exits 1 when DELETE /cars/{carId} is removed from the working copy', () => {
      editSpec((doc) => doc.deleteIn(['paths', '/cars/{carId}', 'delete']));
      const result = runCli(['HEAD'], repo);
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /## API contract changes: `HEAD:spec\/cars.openapi.yaml` → `spec\/cars.openapi.yaml \(working copy\)`/);
      assert.match(result.stdout, /\| `operation-removed` \| DELETE \/cars\/\{carId\} \| operation removed \|/);
    });

    it('exits 0 when that removal comes with a major version bump', () => {
      editSpec((doc) => {
        doc.deleteIn(['paths', '/cars/{carId}', 'delete']);
        doc.setIn(['info', 'version'], '99.0.0');
      });
      const result = runCli(['HEAD'], repo);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /⚠️ \*\*1 breaking change, .*allowed by the major version bump/);
    });

    it('exits 0 when an optional request property is added, against HEAD~1', () => {
      git('commit', '-q', '--allow-empty', '-m', 'an unrelated commit');
      editSpec((doc) => {
        // The createCar body schema, wherever the spec keeps it.
        const schema = doc.getIn(['paths', '/cars', 'post', 'requestBody', 'content', 'application/json', 'schema'], true) as { get(key: string): unknown };
        const ref = schema.get('$ref');
        const at = typeof ref === 'string' ? ref.replace(/^#\//, '').split('/') : ['paths', '/cars', 'post', 'requestBody', 'content', 'application/json', 'schema'];
        doc.setIn([...at, 'properties', 'nickname'], doc.createNode({ type: 'string', maxLength: 50, example: 'Herbie' }));
      });
      const result = runCli(['HEAD~1'], repo);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /✅ \*\*0 breaking changes/);
      assert.match(result.stdout, /\| `request-property-added` \| POST \/cars request body \(application\/json\) \| optional property `nickname` added \|/);
    });

    it('exits 2 with the usage for a ref that does not exist', () => {
      const result = runCli(['no-such-ref'], repo);
      assert.equal(result.status, 2);
      assert.match(result.stderr, /cannot read spec\/cars.openapi.yaml at no-such-ref/);
      assert.match(result.stderr, /Usage:/);
    });
  });
});
