/**
 * Requests generated from the spec's operations: valid ones, and invalid ones that each carry one
 * defect (a bad parameter, an unknown query parameter, a body that breaks its schema, malformed
 * JSON, a missing body or the wrong media type).
 */
import fc from 'fast-check';
import { curl, type HttpRequest } from './curl.js';
import type { SchemaArbitraries } from './schema-arbitraries.js';
import type { FuzzOperation, FuzzParameter } from './spec-operations.js';

/** A generated request; fast-check prints it as a curl command. */
export interface FuzzRequest extends HttpRequest {
  readonly operationId: string;
  /** `valid`, or the one thing that makes the request invalid. */
  readonly defect: string;
}

/** The parts of a request before they are put on the wire. */
interface Parts {
  path: Map<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body?: string;
}

/** Texts that no JSON parser accepts, besides truncations of valid bodies. */
const MALFORMED = ['{', '}', '{"a":}', "{'a':1}", '[1,]', 'nul', 'NaN', '{"a":1}}', '"open', '{"a" 1}', '\u0000'];

/** Valid requests and single-defect invalid requests, spread evenly over the operations. */
export function requestArbitraries(
  operations: readonly FuzzOperation[],
  values: SchemaArbitraries,
): { valid: fc.Arbitrary<FuzzRequest>; invalid: fc.Arbitrary<FuzzRequest> } {
  function validParts(op: FuzzOperation): fc.Arbitrary<Parts> {
    const params = op.parameters.map((p) => {
      const value = values.valid(p.schema, p.in) as fc.Arbitrary<string>;
      // Optional parameters half of the time: an opaque one, such as a cursor, is almost never right.
      return (p.required ? value : fc.option(value, { nil: undefined, freq: 2 })).map((v) => [p, v] as const);
    });
    const body = op.body ? values.valid(op.body.schema, 'json') : fc.constant(undefined);
    const maybeBody = op.body?.required === false ? fc.option(body, { nil: undefined, freq: 2 }) : body;
    return fc.tuple(fc.tuple(...params), maybeBody).map(([set, value]) => {
      const parts: Parts = { path: new Map(), query: [], headers: {} };
      for (const [p, v] of set) if (v !== undefined) setParameter(parts, p, v);
      if (value !== undefined && op.body) {
        parts.headers['Content-Type'] = op.body.mediaType;
        parts.body = JSON.stringify(alignWithPath(op, parts, value));
      }
      return parts;
    });
  }

  function build(op: FuzzOperation, parts: Parts, defect: string): FuzzRequest {
    const path = op.path.replace(/\{([^}]*)\}/g, (_, name: string) => encodeURIComponent(parts.path.get(name) ?? ''));
    const query = parts.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const request = {
      operationId: op.operationId,
      defect,
      method: op.method,
      path: query ? `${path}?${query}` : path,
      headers: parts.headers,
      ...(parts.body !== undefined ? { body: parts.body } : {}),
    };
    return Object.assign(request, { [fc.toStringMethod]: () => curl(request) });
  }

  const withDefect = <T>(op: FuzzOperation, defect: string, bad: fc.Arbitrary<T>, apply: (parts: Parts, bad: T) => void) =>
    fc.tuple(validParts(op), bad).map(([parts, b]) => {
      apply(parts, b);
      return build(op, parts, defect);
    });

  function invalidRequests(op: FuzzOperation): fc.Arbitrary<FuzzRequest>[] {
    const found: fc.Arbitrary<FuzzRequest>[] = [];
    for (const p of op.parameters) {
      const bad = values.invalid(p.schema, p.in) as fc.Arbitrary<string> | undefined;
      if (bad) found.push(withDefect(op, `invalid ${p.in} parameter ${p.name}`, bad, (parts, v) => setParameter(parts, p, v)));
    }
    // The spec rejects unknown query parameters, so that a typo is never silently ignored.
    const known = new Set(op.parameters.filter((p) => p.in === 'query').map((p) => p.name));
    const unknownName = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/).filter((name) => !known.has(name));
    found.push(withDefect(op, 'unknown query parameter', fc.tuple(unknownName, fc.string()), (parts, [k, v]) => parts.query.push([k, v])));
    const body = op.body;
    if (body) {
      const badValue = values.invalid(body.schema, 'json');
      const setBody = (parts: Parts, text: string | undefined, type = body.mediaType) => {
        parts.headers['Content-Type'] = type;
        if (text === undefined) delete parts.body;
        else parts.body = text;
      };
      if (badValue) found.push(withDefect(op, 'body breaks its schema', badValue, (parts, v) => setBody(parts, JSON.stringify(v))));
      const truncated = fc.tuple(values.valid(body.schema, 'json'), fc.nat()).map(([v, n]) => {
        const text = JSON.stringify(v);
        return text.slice(0, n % text.length);
      });
      const malformed = fc.oneof(fc.constantFrom(...MALFORMED), truncated).filter((text) => !parsesAsJson(text));
      found.push(withDefect(op, 'malformed JSON', malformed, (parts, text) => setBody(parts, text)));
      const json = values.valid(body.schema, 'json').map((v) => JSON.stringify(v));
      found.push(withDefect(op, 'unsupported media type', json, (parts, text) => setBody(parts, text, 'text/plain')));
      if (body.required) found.push(withDefect(op, 'missing body', fc.constant(undefined), (parts) => setBody(parts, undefined)));
    }
    return found;
  }

  return {
    valid: fc.oneof(...operations.map((op) => validParts(op).map((parts) => build(op, parts, 'valid')))),
    invalid: fc.oneof(...operations.map((op) => fc.oneof(...invalidRequests(op)))),
  };
}

/**
 * A body member whose schema is a path parameter's schema (one `$ref`, one object once
 * dereferenced) names the same thing, such as a car's id: it takes the path's value, so that
 * valid requests are not all turned away for a mismatch the schemas cannot express.
 */
function alignWithPath(op: FuzzOperation, parts: Parts, body: unknown): unknown {
  if (op.body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const aligned: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const [name, schema] of Object.entries(op.body.schema.properties ?? {})) {
    const p = op.parameters.find((param) => param.in === 'path' && param.schema === schema);
    const value = p && parts.path.get(p.name);
    if (name in aligned && p !== undefined && value !== undefined) aligned[name] = p.schema.type === 'integer' ? Number(value) : value;
  }
  return aligned;
}

function setParameter(parts: Parts, p: FuzzParameter, value: string): void {
  if (p.in === 'path') parts.path.set(p.name, value);
  else if (p.in === 'header') parts.headers[p.name] = value;
  else {
    parts.query = parts.query.filter(([k]) => k !== p.name);
    parts.query.push([p.name, value]);
  }
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
