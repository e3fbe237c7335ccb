import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseConfig } from '../../scripts/spec-review/config.js';
import { renderGithub, renderJson, renderJunit } from '../../scripts/spec-review/format-machine.js';
import { COMMENT_MARKER, renderMarkdown } from '../../scripts/spec-review/format-markdown.js';
import { review } from '../../scripts/spec-review/review.js';
import { RULES } from '../../scripts/spec-review/rules.js';
import { renderRulesDoc, RULES_DOC } from '../../scripts/spec-review/rules-doc.js';

const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));
const SCHEMA = fileURLToPath(new URL('../../scripts/spec-review/report.schema.json', import.meta.url));
const TODAY = '2026-06-01';

function side(name: string, which: 'base' | 'head') {
  return { text: readFileSync(join(FIXTURES, name, `${which}.yaml`), 'utf8'), file: `${name}/${which}.yaml` };
}

function fixture(name: string, options: Parameters<typeof review>[2] = {}) {
  return review(side(name, 'base'), side(name, 'head'), { today: TODAY, clientImpact: false, lint: false, ...options });
}

/** The 1-based line of the first line of `text` that contains `needle`, after `from`. */
function lineOf(text: string, needle: string, after = ''): number {
  const lines = text.split('\n');
  const start = after === '' ? 0 : lines.findIndex((l) => l.includes(after));
  return lines.findIndex((l, i) => i >= start && l.includes(needle)) + 1;
}

describe('the rule catalogue', () => {
  it('docs/spec-review-rules.md is the table generated from rules.ts (npm run spec:review:rules)', () => {
    assert.equal(readFileSync(RULES_DOC, 'utf8'), renderRulesDoc());
  });

  it('gives every rule a kebab-case id, a level, a summary and a one-line example', () => {
    for (const rule of RULES.values()) {
      assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(['error', 'warning', 'info'].includes(rule.level), rule.id);
      assert.ok(rule.summary.length > 10 && !rule.example.includes('\n') && rule.example.length > 3, rule.id);
    }
  });

  it("keeps oasdiff's levels for its ids that issue 16 does not override", () => {
    const expected: Record<string, string> = {
      'response-success-status-removed': 'error',
      'response-non-success-status-removed': 'info',
      'request-parameter-max-length-decreased': 'error',
      'response-property-enum-value-added': 'warning',
      'response-optional-property-removed': 'warning',
      'request-property-removed': 'warning',
      'api-removed-with-deprecation': 'info',
      'api-path-removed-without-deprecation': 'error',
      'request-parameter-default-value-changed': 'error',
      'request-property-default-value-changed': 'info',
      'response-property-type-generalized': 'error',
      'response-property-type-changed': 'error',
      'request-parameter-max-decreased': 'error',
      'request-parameter-min-set': 'warning',
      'request-property-exclusive-max-decreased': 'error',
      'new-required-request-default-parameter-to-existing-path': 'error',
      'request-property-became-required-with-default': 'error',
      'response-required-property-became-not-write-only': 'warning',
      'response-mediatype-enum-value-removed': 'info',
      'request-parameter-type-generalized': 'info',
      'response-body-any-of-added': 'info',
      'response-body-one-of-added': 'error',
    };
    for (const [id, level] of Object.entries(expected)) assert.equal(RULES.get(id)?.level, level, id);
  });
});

describe('source locations', () => {
  it('points at the head line for a change, and at the base line for a removal', async () => {
    const changed = await fixture('response-max-length-increased');
    const [finding] = changed.findings;
    const head = side('response-max-length-increased', 'head').text;
    assert.equal(finding?.file, 'response-max-length-increased/head.yaml');
    assert.equal(finding?.line, lineOf(head, 'maxLength: 200'));

    const removed = await fixture('response-success-removed');
    const base = side('response-success-removed', 'base').text;
    assert.equal(removed.findings[0]?.file, 'response-success-removed/base.yaml');
    assert.equal(removed.findings[0]?.line, lineOf(base, "'204':", 'delete:'));
  });

  it('lists every operation a shared schema change affects, in one finding', async () => {
    const result = await fixture('shared-schema-change');
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0]?.where, 'schema `Car` /model');
    assert.deepEqual(result.findings[0]?.operations, ['GET /cars/{carId}', 'POST /cars']);
  });
});

describe('whole documents', () => {
  it("finds nothing between the project's spec and itself, and says so", async () => {
    const spec = { text: readFileSync(fileURLToPath(new URL('../../spec/cars.openapi.yaml', import.meta.url)), 'utf8'), file: 'spec/cars.openapi.yaml' };
    const result = await review(spec, spec, { today: TODAY, lint: false });
    assert.deepEqual(result.findings, []);
    assert.equal(result.failed, false);
    assert.match(renderMarkdown(result), /✅ The documents are the same: no changes\./);
  });

  it('says the documents differ only in formatting, never "no changes", when only the text differs', async () => {
    const result = await fixture('formatting-only');
    assert.deepEqual(result.findings, []);
    assert.equal(result.formattingOnly, true);
    const markdown = renderMarkdown(result);
    assert.match(markdown, /✅ The documents differ only in formatting or key order: no change to the API contract\./);
    assert.doesNotMatch(markdown, /no changes/);
    assert.equal((JSON.parse(renderJson(result)) as { formattingOnly: boolean }).formattingOnly, true);
  });

  it('names a shared parameter by its component, and lists the operations that use it', async () => {
    const result = await fixture('shared-parameter-component');
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0]?.where, 'parameter `Fields`');
    assert.deepEqual(result.findings[0]?.operations, ['DELETE /cars/{carId}', 'GET /cars/{carId}']);
  });

  it('ends on a circular schema and reports its change once', async () => {
    const result = await fixture('circular-schema');
    assert.deepEqual(result.findings.map((f) => [f.rule, f.where]), [['response-property-max-length-increased', 'schema `Part` /name']]);
  });
});

describe('spec-review.yaml', () => {
  it('overrides a level per rule', async () => {
    const config = parseConfig('severity:\n  response-non-success-status-removed: error\n', 'spec-review.yaml');
    const result = await fixture('response-non-success-removed', { config });
    assert.equal(result.findings[0]?.level, 'error');
    assert.equal(result.findings[0]?.defaultLevel, 'info');
    assert.equal(result.failed, true);
  });

  it('waives one finding by rule and place until its expiry, and then fails the review', async () => {
    const text = (expires: string) =>
      ['waivers:', '  - rule: response-success-status-removed', "    at: 'DELETE /cars/{carId} response 204'", '    reason: the endpoint never answered 204', `    expires: ${expires}`, ''].join('\n');
    const waived = await fixture('response-success-removed', { config: parseConfig(text('2026-06-30'), 'spec-review.yaml') });
    assert.equal(waived.failed, false);
    assert.deepEqual(waived.findings[0]?.waiver, { reason: 'the endpoint never answered 204', expires: '2026-06-30' });
    assert.equal(waived.counts.waived, 1);

    const expired = await fixture('response-success-removed', { config: parseConfig(text('2026-05-31'), 'spec-review.yaml') });
    assert.equal(expired.failed, true);
    assert.equal(expired.findings[0]?.waiver, undefined);
    assert.equal(expired.expiredWaivers[0]?.line, 2);
  });

  it('matches a waiver by one of the operations of the finding too, and reports waivers that match nothing', async () => {
    const config = parseConfig(
      ['waivers:', '  - { rule: response-property-max-length-increased, at: POST /cars, reason: r, expires: 2030-01-01 }', '  - { rule: endpoint-added, at: GET /nothing, reason: r, expires: 2030-01-01 }'].join('\n'),
      'spec-review.yaml',
    );
    const result = await fixture('shared-schema-change', { config });
    assert.equal(result.counts.waived, 1);
    assert.deepEqual(result.unusedWaivers.map((w) => w.at), ['GET /nothing']);
  });

  for (const [what, text, message] of [
    ['a YAML syntax error', 'severity:\n  a: [b\n', /^spec-review\.yaml:\d+: /],
    ['an unknown rule id', 'severity:\n  api-removed-without-deprecation: warning\n  no-such-rule: error\n', /^spec-review\.yaml:3: unknown rule id "no-such-rule"/],
    ['a bad level', 'severity:\n  api-removed-without-deprecation: fatal\n', /^spec-review\.yaml:2: level of api-removed-without-deprecation must be error, warning or info/],
    ['an unknown key', 'severity: {}\nwaiver: []\n', /^spec-review\.yaml:2: unknown key "waiver"/],
    ['a waiver without a reason', 'waivers:\n  - rule: endpoint-added\n    at: GET /cars\n    expires: 2030-01-01\n', /^spec-review\.yaml:2: waiver is missing `reason`/],
    ['a waiver with a bad date', 'waivers:\n  - rule: endpoint-added\n    at: GET /cars\n    reason: r\n    expires: next week\n', /^spec-review\.yaml:5: expires must be a date/],
  ] as const) {
    it(`refuses ${what}, naming the file and line`, () => {
      assert.throws(() => parseConfig(text, 'spec-review.yaml'), { message });
    });
  }
});

describe('output formats', () => {
  it('JSON: validates against report.schema.json, for failing, waived and clean reviews', async () => {
    const ajv = new Ajv2020({ allErrors: true, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
    const waiver = parseConfig('waivers:\n  - { rule: api-removed-without-deprecation, at: "DELETE /cars/{carId}", reason: r, expires: 2020-01-01 }\n', 'c.yaml');
    for (const result of [await fixture('operation-removed', { config: waiver }), await fixture('oas31-webhook-added', { clientImpact: true }), await fixture('response-success-removed')]) {
      const json = JSON.parse(renderJson(result)) as unknown;
      assert.ok(validate(json), JSON.stringify(validate.errors));
    }
  });

  it('GitHub: one annotation per unwaived finding, with file, line and escaped text', async () => {
    const result = await fixture('security-alternative-removed');
    const [line] = renderGithub(result, undefined).trimEnd().split('\n');
    const head = side('security-alternative-removed', 'base').text;
    assert.equal(
      line,
      `::error file=security-alternative-removed/base.yaml,line=${lineOf(head, 'security:', 'get:')},title=api-security-removed%3A GET /cars/{carId} security::security alternative oauth [cars:read] removed (GET /cars/{carId})`,
    );
  });

  it('JUnit: a failing test case per unwaived error, and info findings as passing cases', async () => {
    const result = await fixture('oas31-const-changed');
    const xml = renderJunit(result);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="spec-review" tests="2" failures="2">/);
    assert.equal(xml.match(/<failure /g)?.length, 2);
    const clean = renderJunit(await fixture('description-only'));
    assert.match(clean, /failures="0"/);
    assert.match(clean, /<testcase classname="spec-review.info" name="documentation-changed: GET \/cars\/\{carId\}"/);
  });

  it('Markdown: the verdict, a table per level and the marker that lets the workflow update its comment', async () => {
    const markdown = renderMarkdown(await fixture('format-response-header-widened'));
    assert.ok(markdown.startsWith(`${COMMENT_MARKER}\n`));
    assert.match(markdown, /❌ \*\*Fails: unwaived errors \(breaking changes\)\.\*\* 1 error, 0 warnings, 0 info, 0 waived/);
    assert.match(markdown, /\| `response-header-type-changed` \| POST \/cars response 201 header `X-Rate-Limit-Remaining` \| type\/format integer\/int32 → integer\/int64 \| `format-response-header-widened\/head\.yaml:\d+` \| POST \/cars \|/);
  });

  it('Markdown: stays under the 65,536 characters of a PR comment, and says where the rest is', async () => {
    const result = await fixture('operation-removed');
    const [one] = result.findings;
    assert.ok(one);
    const many = Array.from({ length: 3000 }, (_, i) => ({ ...one, level: i % 2 === 0 ? ('error' as const) : ('info' as const), message: `${one.message} ${'x'.repeat(100)} ${i}` }));
    const markdown = renderMarkdown({ ...result, findings: many });
    assert.ok(markdown.length <= 60_000, String(markdown.length));
    assert.match(markdown, /the report is cut here; the JSON report \(`--format json`\) has every finding\.\n$/);
  });

  it('never says "no changes" while the documents differ', async () => {
    const markdown = renderMarkdown(await fixture('description-only'));
    assert.doesNotMatch(markdown, /no changes/i);
    assert.match(markdown, /documentation-changed/);
  });
});

describe('client impact and lint delta', () => {
  it('names the generated types and fields that change', async () => {
    const result = await fixture('property-removed', { clientImpact: true });
    const impact = result.clientImpact;
    assert.ok(impact);
    assert.deepEqual(impact.fields.filter((f) => f.type === 'components["schemas"]["Car"]'), [
      { type: 'components["schemas"]["Car"]', field: 'color', change: 'removed', base: '"red" | "blue"' },
    ]);
    const added = await fixture('basic-path-added', { clientImpact: true });
    assert.ok(added.clientImpact?.typesAdded.some((t) => t.startsWith('operations[')), JSON.stringify(added.clientImpact));
  });

  it('still reviews a document openapi-typescript refuses, and says why the client impact is missing', async () => {
    const base = side('basic-response-added', 'base');
    const head = { text: base.text.replace('operationId: getCar', 'operationId: deleteCar'), file: 'head.yaml' };
    const result = await review(base, head, { today: TODAY, lint: false });
    assert.deepEqual(result.findings.map((f) => f.rule), ['api-operation-id-removed']);
    assert.match(result.clientImpact?.error ?? '', /^openapi-typescript could not generate types: .*operationId/);
    assert.match(renderMarkdown(result), /Not available: openapi-typescript could not generate types/);
  });

  it("reports the lint problems the head brings, by the repo's redocly.yaml", async () => {
    const result = await fixture('operation-id-renamed', { lint: false });
    assert.equal(result.findings.some((f) => f.rule === 'lint-problem-added'), false);
    const base = side('basic-response-added', 'base');
    const head = { text: base.text.replace('      operationId: getCar\n', ''), file: 'head.yaml' };
    const linted = await review(base, head, { today: TODAY, clientImpact: false, lint: fileURLToPath(new URL('../../redocly.yaml', import.meta.url)) });
    const lint = linted.findings.filter((f) => f.rule === 'lint-problem-added');
    assert.equal(lint.length, 1, JSON.stringify(lint));
    assert.match(lint[0]?.message ?? '', /^operation-operationId \(error\)/);
    assert.equal(lint[0]?.file, 'head.yaml');
  });
});
