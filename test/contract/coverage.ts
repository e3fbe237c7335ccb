/**
 * The contract coverage matrix: which suites exercised each documented (operation, status) pair,
 * and which documented response headers they saw and looked at, built from the records the test
 * servers wrote (test/support/exercised.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document } from 'openapi-backend';
import type { ExchangeRecord } from '../support/exercised.js';

/** One documented response and who exercised it. */
export interface CoverageRow {
  operationId: string;
  method: string;
  path: string;
  status: string;
  /** Exchanges per suite. */
  suites: Record<string, number>;
  /** The response's documented headers. */
  headers: HeaderCoverage[];
}

/** One documented response header of one response. */
export interface HeaderCoverage {
  name: string;
  /** Suites whose answers carried it (only where the recorder saw headers). */
  carriedBy: string[];
  /** Suites whose tests looked at it. */
  lookedAtBy: string[];
}

/** An answer with a status its operation does not document. */
export interface UndocumentedAnswer {
  suite: string;
  method: string;
  path: string;
  operationId: string;
  status: number;
  count: number;
}

/** An answer outside any operation: OPTIONS, an unknown path, a path parameter that is not text. */
export interface OutsideAnswer {
  suite: string;
  method: string;
  path: string | null;
  status: number;
  count: number;
}

/** The whole matrix. */
export interface Coverage {
  /** Every suite that recorded something, in display order. */
  suites: string[];
  rows: CoverageRow[];
  /** `METHOD path status` of each documented response no suite exercised. */
  unexercised: string[];
  undocumented: UndocumentedAnswer[];
  outside: OutsideAnswer[];
}

/** How the Markdown names the suites it knows; others keep their folder name. */
export const SUITE_NAMES: Readonly<Record<string, string>> = {
  contract: 'Dredd',
  http: 'HTTP tests',
  fuzz: 'fuzzing',
  tutorial: 'tutorial sessions',
  cli: 'CLI',
  'client-package': 'client package',
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface ResponseObject {
  headers?: Record<string, unknown>;
}
interface OperationObject {
  operationId?: string;
  responses?: Record<string, ResponseObject & { $ref?: string }>;
}

/** Follows a local `$ref`. */
function deref<T>(spec: Document, node: T & { $ref?: string }): T {
  let at: unknown = node;
  for (let hops = 0; at && typeof at === 'object' && typeof (at as { $ref?: unknown }).$ref === 'string'; hops++) {
    if (hops > 32) throw new Error('$ref loop');
    const ref = (at as { $ref: string }).$ref;
    at = ref
      .slice(2)
      .split('/')
      .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec);
  }
  return at as T;
}

/** Reads every record file in `dir` (anything but run.json). */
export function readRecords(dir: string): ExchangeRecord[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'run.json')
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ExchangeRecord[]);
}

/** Builds the matrix from the spec and what the suites recorded. */
export function buildCoverage(spec: Document, records: readonly ExchangeRecord[]): Coverage {
  const rows = new Map<string, CoverageRow>();
  const operationsAt = new Map<string, { operationId: string; documented: Set<string> }[]>();
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const op = (item as Record<string, OperationObject | undefined>)[method];
      if (!op?.operationId) continue;
      const documented = new Set(Object.keys(op.responses ?? {}));
      (operationsAt.get(path) ?? operationsAt.set(path, []).get(path))?.push({ operationId: op.operationId, documented });
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const headers = Object.keys(deref<ResponseObject>(spec, response).headers ?? {}).map((name) => ({
          name,
          carriedBy: [],
          lookedAtBy: [],
        }));
        rows.set(`${op.operationId} ${status}`, { operationId: op.operationId, method: method.toUpperCase(), path, status, suites: {}, headers });
      }
    }
  }

  const undocumented = new Map<string, UndocumentedAnswer>();
  const outside = new Map<string, OutsideAnswer>();
  const suites = new Set<string>();
  for (const record of records) {
    suites.add(record.suite);
    // A record of headers looked at stands beside the record of the same answer: count answers once.
    const looks = record.lookedAt.length > 0;
    // A 405 is the path's answer, not one operation's: it stands for every operation at the path.
    const targets =
      record.operationId !== null
        ? [record.operationId]
        : record.template !== null && record.status === 405
          ? (operationsAt.get(record.template) ?? []).map((op) => op.operationId)
          : [];
    if (targets.length === 0) {
      if (looks) continue;
      const key = JSON.stringify([record.suite, record.method, record.template, record.status]);
      const seen = outside.get(key);
      if (seen) seen.count += record.count;
      else outside.set(key, { suite: record.suite, method: record.method, path: record.template, status: record.status, count: record.count });
      continue;
    }
    for (const operationId of targets) {
      const row = rows.get(`${operationId} ${record.status}`);
      if (!row) {
        if (looks) continue;
        const key = JSON.stringify([record.suite, record.method, operationId, record.status]);
        const seen = undocumented.get(key);
        if (seen) seen.count += record.count;
        else {
          const path = record.template ?? '?';
          undocumented.set(key, { suite: record.suite, method: record.method, path, operationId, status: record.status, count: record.count });
        }
        continue;
      }
      if (!looks) row.suites[record.suite] = (row.suites[record.suite] ?? 0) + record.count;
      for (const header of row.headers) {
        const name = header.name.toLowerCase();
        if (record.carried?.includes(name) && !header.carriedBy.includes(record.suite)) header.carriedBy.push(record.suite);
        if (record.lookedAt.includes(name) && !header.lookedAtBy.includes(record.suite)) header.lookedAtBy.push(record.suite);
      }
    }
  }

  const order = Object.keys(SUITE_NAMES);
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  const sortedSuites = [...suites].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const row of rows.values()) for (const h of row.headers) [h.carriedBy, h.lookedAtBy].forEach((list) => list.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)));
  const allRows = [...rows.values()];
  return {
    suites: sortedSuites,
    rows: allRows,
    unexercised: allRows.filter((r) => Object.keys(r.suites).length === 0).map((r) => `${r.method} ${r.path} ${r.status}`),
    undocumented: [...undocumented.values()],
    outside: [...outside.values()].sort((a, b) => (a.path ?? '').localeCompare(b.path ?? '') || a.status - b.status || a.suite.localeCompare(b.suite)),
  };
}

/** Why the gate fails; empty when every documented response was exercised and no suite saw an undocumented status. */
export function gateFailures(coverage: Coverage): string[] {
  return [
    ...coverage.unexercised.map((key) => `documented but exercised by no suite: ${key}`),
    ...coverage.undocumented.map(
      (u) => `${u.suite} saw ${u.status} from ${u.method} ${u.path} (${u.operationId}), which does not document it (${u.count}×)`,
    ),
  ];
}

const suiteName = (suite: string) => SUITE_NAMES[suite] ?? suite;
const cell = (text: string) => text.replaceAll('|', '\\|');

/** The matrix as Markdown. */
export function coverageMarkdown(coverage: Coverage, { generatedAt }: { generatedAt: string }): string {
  const out: string[] = [];
  const { suites } = coverage;
  out.push('# Contract coverage', '');
  out.push(
    `Built by \`npm run contract:coverage\` from what the test servers recorded during \`npm test\` (${generatedAt}).`,
    'A number is how many answers with that status a suite got from that operation; a 405 counts for every operation',
    'at its path. Columns are the folders under `test/` (`unit` is `src/`).',
    '',
  );
  const failures = gateFailures(coverage);
  out.push(failures.length === 0 ? '**Gate: pass.** Every documented response was exercised, and no suite saw an undocumented status.' : '**Gate: FAIL.**');
  for (const failure of failures) out.push(`- ${cell(failure)}`);
  out.push('');

  out.push('## Documented responses × suites', '');
  out.push(`| operation | status | ${suites.map((s) => cell(suiteName(s))).join(' | ')} |`);
  out.push(`|---|---|${suites.map(() => '---:').join('|')}|`);
  for (const row of coverage.rows) {
    const counts = suites.map((s) => (row.suites[s] ? String(row.suites[s]) : ''));
    out.push(`| \`${row.method} ${cell(row.path)}\` (${row.operationId}) | ${row.status} | ${counts.join(' | ')} |`);
  }
  out.push('');

  out.push('## Documented response headers', '');
  out.push(
    '"Carried by" lists the suites whose answers had the header (in-process servers only: a server process',
    'is seen through its access log, which has no headers). "Looked at by" lists the suites whose test code',
    "read it: the HTTP helpers' `headers.get`/`has` calls, and Dredd, which fails a transaction whose answer",
    'lacks a documented header. Reading a header is not always asserting on it.',
    '',
  );
  out.push('| operation | status | header | carried by | looked at by |');
  out.push('|---|---|---|---|---|');
  for (const row of coverage.rows) {
    for (const h of row.headers) {
      const list = (names: string[]) => (names.length === 0 ? '**none**' : names.map(suiteName).join(', '));
      out.push(`| \`${row.method} ${cell(row.path)}\` | ${row.status} | ${h.name} | ${list(h.carriedBy)} | ${list(h.lookedAtBy)} |`);
    }
  }
  out.push('');

  out.push('## Answers outside any operation', '');
  out.push('OPTIONS (204 with `Allow` on every path, by the spec\'s conventions), unknown paths (404), and paths the router', 'refused before choosing an operation.', '');
  out.push('| method | path | status | suite | answers |');
  out.push('|---|---|---|---|---:|');
  for (const o of coverage.outside) out.push(`| ${cell(o.method)} | ${o.path === null ? '(not in the spec)' : `\`${cell(o.path)}\``} | ${o.status} | ${cell(suiteName(o.suite))} | ${o.count} |`);
  out.push('');
  return out.join('\n');
}
