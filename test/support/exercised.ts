/**
 * Records which documented responses each test suite exercised, for the contract coverage gate
 * (scripts/contract-coverage.ts). Recording is on only while `CARS_EXERCISED_DIR` names a folder
 * (scripts/test.ts sets it); each test process then writes one JSON file there when it exits.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from 'openapi-backend';
import { compileRouter, type Router, type RouteOperation } from '../../src/http/router.js';
import { loadSpec } from '../../src/spec.js';

/** The variable that names the folder records are written to. */
export const EXERCISED_DIR_ENV = 'CARS_EXERCISED_DIR';

/** What one suite saw of one kind of exchange, and how often. */
export interface ExchangeRecord {
  /** The test folder the process ran from (`http`, `contract`, `fuzz`, ...), or `unit` under src/. */
  suite: string;
  /** The method as sent. */
  method: string;
  /** The spec path the request path falls under; null for a path the spec does not have. */
  template: string | null;
  /** The operation that answered (HEAD is answered by the GET operation); null when none did (OPTIONS, 404, 405). */
  operationId: string | null;
  status: number;
  /** The documented response headers (lower case) the answer carried; null when the recorder could not see them. */
  carried: string[] | null;
  /** The documented response headers (lower case) a test looked at in this answer. */
  lookedAt: string[];
  count: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Methods that may have an operation at a path, tried to find the template a 405 or OPTIONS fell under. */
const PROBE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The suite a test file belongs to: its folder under test/, or `unit` for files under src/. */
export function suiteOf(file: string): string {
  const parts = relative(ROOT, file).split(sep);
  if (parts[0] === 'test' && parts.length > 2) return parts[1] as string;
  if (parts[0] === 'test') return (parts[1] ?? 'test').replace(/\.test\.ts$/, '');
  return 'unit';
}

interface Recorder {
  readonly suite: string;
  readonly route: Router<RouteOperation>;
  /** Every response header name the spec documents, lower case. */
  readonly documentedHeaders: ReadonlySet<string>;
  readonly records: Map<string, ExchangeRecord>;
}

let recorder: Recorder | undefined | null;
/** The recorder of this process, created on first use; null when recording is off. */
function current(): Recorder | null {
  if (recorder !== undefined) return recorder;
  const dir = process.env[EXERCISED_DIR_ENV];
  if (!dir) return (recorder = null);
  const spec = loadSpec();
  const suite = suiteOf(process.argv[1] ?? 'unknown');
  const records = new Map<string, ExchangeRecord>();
  recorder = { suite, route: compileRouter(operationsOf(spec)), documentedHeaders: documentedHeaderNames(spec), records };
  process.once('exit', () => {
    if (records.size === 0) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${suite}-${process.pid}.json`), `${JSON.stringify([...records.values()])}\n`);
  });
  return recorder;
}

/** True while this process records exchanges. */
export function recording(): boolean {
  return current() !== null;
}

/** The spec's operations as the router takes them. */
function operationsOf(spec: Document): RouteOperation[] {
  return Object.entries(spec.paths ?? {}).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const op = (item as Record<string, { operationId?: string } | undefined>)[method];
      return op?.operationId ? [{ operationId: op.operationId, method: method.toUpperCase(), path }] : [];
    }),
  );
}

/** Every header name any response documents, lower case. */
function documentedHeaderNames(spec: Document): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'headers' && value && typeof value === 'object') for (const name of Object.keys(value)) names.add(name.toLowerCase());
        visit(value);
      }
    }
  };
  visit(spec.paths);
  visit(spec.components?.responses);
  return names;
}

/** Where a request landed: its path template and the operation that answered it, if any. */
function locate(rec: Recorder, method: string, url: string): { template: string | null; operationId: string | null } {
  const path = url.split('?')[0] ?? '';
  const attempt = (m: string) => {
    try {
      return rec.route(m, path);
    } catch {
      return undefined;
    }
  };
  const match = attempt(method);
  if (match?.operation) return { template: match.operation.path, operationId: match.operation.operationId };
  for (const probe of PROBE_METHODS) {
    const other = attempt(probe);
    if (other?.operation) return { template: other.operation.path, operationId: null };
  }
  return { template: null, operationId: null };
}

function add(rec: Recorder, entry: Omit<ExchangeRecord, 'suite' | 'count' | 'template' | 'operationId'>, url: string): void {
  const record: ExchangeRecord = { suite: rec.suite, ...locate(rec, entry.method, url), ...entry, count: 0 };
  const key = JSON.stringify([record.method, record.template, record.operationId, record.status, record.carried, record.lookedAt]);
  const existing = rec.records.get(key);
  if (existing) existing.count += 1;
  else rec.records.set(key, { ...record, count: 1 });
}

/**
 * Records one answer the server sent: `header` reads a response header (undefined when absent),
 * or is null when the recorder cannot see headers (a server process, seen through its log).
 */
export function recordAnswer(method: string, url: string, status: number, header: ((name: string) => unknown) | null): void {
  const rec = current();
  if (!rec) return;
  const carried = header ? [...rec.documentedHeaders].filter((name) => header(name) !== undefined).sort() : null;
  add(rec, { method, status, carried, lookedAt: [] }, url);
}

/** Records that a test looked at these response headers of an answer. */
export function recordLookedAt(method: string, url: string, status: number, names: Iterable<string>): void {
  const rec = current();
  if (!rec) return;
  const lookedAt = [...new Set([...names].map((n) => n.toLowerCase()))].filter((n) => rec.documentedHeaders.has(n)).sort();
  if (lookedAt.length > 0) add(rec, { method, status, carried: null, lookedAt }, url);
}

/** Wraps a request listener so that every answer it finishes is recorded; unchanged when recording is off. */
export function recordingListener(listener: RequestListener): RequestListener {
  if (!recording()) return listener;
  return (req, res) => {
    res.once('finish', () => recordAnswer(req.method ?? '', req.url ?? '', res.statusCode, (name) => res.getHeader(name)));
    listener(req, res);
  };
}

/** Headers that record each documented header the test reads from them, through `get` or `has`. */
export function watchedHeaders(method: string, url: string, status: number, headers: Headers): Headers {
  if (!recording()) return headers;
  const looked = new Set<string>();
  return new Proxy(headers, {
    get(target, prop) {
      if (prop === 'get' || prop === 'has') {
        return (name: string) => {
          const lower = name.toLowerCase();
          if (!looked.has(lower)) {
            looked.add(lower);
            recordLookedAt(method, url, status, [lower]);
          }
          return target[prop](name);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
