/**
 * `npm run bench:spec-review`: reviews a generated 3,000-operation spec against a variant with
 * 200 changes, and prints the time and peak RSS (targets: ≤ 5 s, ≤ 300 MB). The review runs in a
 * child process of its own, so that generating the specs does not count in its memory.
 * Run it under the shared bench lock: `flock /tmp/cars-bench.lock npm run bench:spec-review`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { review } from './review.js';

const OPERATIONS = 3000;
const CHANGES = 200;
const TARGET_MS = 5000;
const TARGET_MB = 300;

type Obj = Record<string, unknown>;

/** A spec of `OPERATIONS` operations: resources with list/create/get/replace/delete, sharing component schemas. */
function generate(): Obj {
  const paths: Obj = {};
  const schemas: Obj = {};
  const resources = OPERATIONS / 5;
  for (let r = 0; r < resources; r++) {
    const name = `Thing${r}`;
    schemas[name] = {
      type: 'object',
      required: ['id', 'name'],
      properties: {
        id: { type: 'integer', format: 'int64', minimum: 1 },
        name: { type: 'string', minLength: 1, maxLength: 100 },
        status: { type: 'string', enum: ['new', 'used', 'sold'] },
        tags: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 30 } },
        owner: { $ref: '#/components/schemas/Owner' },
      },
    };
    const item = { $ref: `#/components/schemas/${name}` };
    const body = { required: true, content: { 'application/json': { schema: item } } };
    const ok = (schema: Obj) => ({ description: 'OK.', content: { 'application/json': { schema } } });
    const problem = { description: 'Problem.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer', format: 'int64' } };
    paths[`/things${r}`] = {
      get: {
        operationId: `list${name}`,
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }],
        responses: { '200': ok({ type: 'array', items: item }), '400': problem },
      },
      post: { operationId: `create${name}`, requestBody: body, responses: { '201': ok(item), '400': problem } },
    };
    paths[`/things${r}/{id}`] = {
      parameters: [id],
      get: { operationId: `get${name}`, responses: { '200': ok(item), '404': problem } },
      put: { operationId: `replace${name}`, requestBody: body, responses: { '200': ok(item), '404': problem } },
      delete: { operationId: `delete${name}`, responses: { '204': { description: 'Deleted.' }, '404': problem } },
    };
  }
  schemas.Owner = { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } } };
  schemas.Problem = { type: 'object', required: ['type', 'title'], properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' } } };
  return { openapi: '3.0.3', info: { title: 'Bench', version: '1.0.0' }, paths, components: { schemas } };
}

/** The same spec with `CHANGES` changes of ten kinds, spread over the resources. */
function vary(spec: Obj): Obj {
  const copy = structuredClone(spec) as { paths: Record<string, Record<string, Obj>>; components: { schemas: Record<string, { properties: Record<string, Obj>; required: string[] }> } };
  for (let c = 0; c < CHANGES; c++) {
    const r = c * 3;
    const schema = copy.components.schemas[`Thing${r}`];
    const list = copy.paths[`/things${r}`];
    const one = copy.paths[`/things${r}/{id}`];
    if (schema === undefined || list === undefined || one === undefined) throw new Error(`bench: no resource ${r}`);
    const props = schema.properties;
    switch (c % 10) {
      case 0: delete one.delete; break;
      case 1: props.name = { ...props.name, maxLength: 50 }; break;
      case 2: props.status = { ...props.status, enum: ['new', 'used', 'sold', 'scrapped'] }; break;
      case 3: props.color = { type: 'string' }; break;
      case 4: schema.required = [...schema.required, 'status']; break;
      case 5: (list.get as { parameters: Obj[] }).parameters.push({ name: 'q', in: 'query', required: true, schema: { type: 'string' } }); break;
      case 6: delete (one.get as { responses: Obj }).responses['404']; break;
      case 7: one.get = { ...one.get, deprecated: true }; break;
      case 8: props.id = { ...props.id, format: 'int32' }; break;
      default: one.get = { ...one.get, description: `Reads one thing, change ${c}.` };
    }
  }
  return copy;
}

const { values } = parseArgs({ options: { base: { type: 'string' }, head: { type: 'string' }, lint: { type: 'boolean', default: false } } });
if (values.base !== undefined && values.head !== undefined) {
  // The child: one review of the two files, and what it cost. The lint delta is measured in a
  // child of its own: it is optional (--no-lint), and Redocly's memory would hide the review's.
  const read = (path: string, file: string) => ({ text: readFileSync(path, 'utf8'), file });
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await review(read(values.base, 'base.yaml'), read(values.head, 'head.yaml'), values.lint ? { clientImpact: false, lint: undefined } : { lint: false });
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  // CPU time too: on a machine shared with other jobs, the wall time measures them as well.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const lintFindings = result.findings.filter((f) => f.rule === 'lint-problem-added').length;
  process.stdout.write(`${JSON.stringify({ ms, cpuMs, findings: result.findings.length - lintFindings, counts: result.counts, fields: result.clientImpact?.fields.length, lintFindings, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'spec-review-bench-'));
  try {
    const spec = generate();
    const [base, head] = [join(dir, 'base.yaml'), join(dir, 'head.yaml')];
    writeFileSync(base, stringify(spec, { aliasDuplicateObjects: false }));
    writeFileSync(head, stringify(vary(spec), { aliasDuplicateObjects: false }));
    const child = (lint: boolean) => {
      const started = performance.now();
      const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--base', base, '--head', head, ...(lint ? ['--lint'] : [])], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      if (run.status !== 0) throw new Error(`bench: the review failed: ${run.stderr}`);
      return { wallMs: performance.now() - started, ...(JSON.parse(run.stdout) as { ms: number; cpuMs: number; findings: number; counts: Obj; fields: number; lintFindings: number; maxRssMb: number }) };
    };
    const [m, l] = [child(false), child(true)];
    const verdict = (ok: boolean) => (ok ? 'ok' : 'MISS');
    process.stdout.write(
      [
        `spec review bench: ${OPERATIONS} operations, ${CHANGES} changes (${(readFileSync(base).length / 1e6).toFixed(1)} MB of YAML per side)`,
        `  review (rules, lines, client impact): ${(m.ms / 1000).toFixed(2)} s (target ≤ ${TARGET_MS / 1000} s: ${verdict(m.ms <= TARGET_MS)}), peak RSS ${m.maxRssMb.toFixed(0)} MB (target ≤ ${TARGET_MB} MB: ${verdict(m.maxRssMb <= TARGET_MB)})`,
        `    CPU time ${(m.cpuMs / 1000).toFixed(2)} s (wall time counts other jobs on a busy machine; load average now ${loadavg()[0]?.toFixed(1)})`,
        `    ${m.findings} findings ${JSON.stringify(m.counts)}; ${m.fields} client-impact field changes; ${(m.wallMs / 1000).toFixed(2)} s with process start-up`,
        `  lint delta alone (Redocly, both sides): ${(l.ms / 1000).toFixed(2)} s, peak RSS ${l.maxRssMb.toFixed(0)} MB; ${l.lintFindings} new lint problems`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
