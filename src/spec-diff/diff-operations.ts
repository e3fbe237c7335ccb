/** Compares the paths, operations, parameters, bodies, responses and security of two dereferenced specs. */
import { isDeepStrictEqual } from 'node:util';
import { HTTP_METHODS, type MediaType, type OpenApiDocument, type Operation, type Parameter, type PathItem, type Response, type SecurityRequirement } from './document.js';
import { diffSchema, type Direction } from './diff-schema.js';
import type { Report } from './rules.js';

/** Reports every change to the API surface between `base` and `head`. */
export function diffOperations(base: OpenApiDocument, head: OpenApiDocument, report: Report): void {
  const [bPaths, hPaths] = [indexPaths(base), indexPaths(head)];
  for (const [shape, [bKey, bItem]] of bPaths) {
    const headEntry = hPaths.get(shape);
    if (headEntry === undefined) {
      const methods = HTTP_METHODS.filter((m) => bItem[m] !== undefined).map((m) => m.toUpperCase());
      report('path-removed', bKey, `path removed, with ${methods.join(', ') || 'no operations'}`);
      continue;
    }
    const [hKey, hItem] = headEntry;
    for (const method of HTTP_METHODS) {
      const [bOp, hOp] = [bItem[method], hItem[method]];
      const where = `${method.toUpperCase()} ${hKey}`;
      if (bOp !== undefined && hOp === undefined) report('operation-removed', `${method.toUpperCase()} ${bKey}`, 'operation removed');
      else if (bOp === undefined && hOp !== undefined) report('operation-added', where, 'operation added');
      else if (bOp !== undefined && hOp !== undefined) {
        const sides = { base: { doc: base, item: bItem, op: bOp, key: bKey }, head: { doc: head, item: hItem, op: hOp, key: hKey } };
        diffParameters(where, sides, report);
        diffRequestBody(where, bOp, hOp, report);
        diffResponses(where, bOp.responses ?? {}, hOp.responses ?? {}, report);
        diffSecurity(where, bOp.security ?? base.security ?? [], hOp.security ?? head.security ?? [], report);
      }
    }
  }
  for (const [shape, [hKey, hItem]] of hPaths) {
    if (bPaths.has(shape)) continue;
    const methods = HTTP_METHODS.filter((m) => hItem[m] !== undefined).map((m) => m.toUpperCase());
    report('path-added', hKey, `path added, with ${methods.join(', ') || 'no operations'}`);
  }
}

/** Paths keyed by their shape, so that renaming `{id}` to `{carId}` is no change: clients never see the name. */
function indexPaths(doc: OpenApiDocument): Map<string, [string, PathItem]> {
  return new Map(Object.entries(doc.paths ?? {}).map(([key, item]) => [key.replace(/\{[^}]*\}/g, '{}'), [key, item]]));
}

interface Side {
  doc: OpenApiDocument;
  item: PathItem;
  op: Operation;
  key: string;
}

/** An operation's parameters (path-level ones overridden by its own), keyed as clients send them. */
function parameters({ item, op, key }: Side): Map<string, Parameter> {
  const templateNames = [...key.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  const result = new Map<string, Parameter>();
  for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
    // Path parameters are matched by position, header names case-insensitively (RFC 9110 §5.1).
    const id = p.in === 'path' ? `path#${templateNames.indexOf(p.name)}` : `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
    result.set(id, p);
  }
  return result;
}

function diffParameters(where: string, sides: { base: Side; head: Side }, report: Report): void {
  const [bParams, hParams] = [parameters(sides.base), parameters(sides.head)];
  for (const [id, b] of bParams) {
    const h = hParams.get(id);
    const at = `${where} ${b.in} parameter \`${h?.name ?? b.name}\``;
    if (h === undefined) {
      report('parameter-removed', at, 'parameter removed');
      continue;
    }
    if (!b.required && h.required) report('parameter-required', at, 'parameter is now required');
    else if (b.required && !h.required) report('parameter-optional', at, 'parameter is no longer required');
    diffSchema(b.schema, h.schema, at, 'request', report);
  }
  for (const [id, h] of hParams) {
    if (bParams.has(id)) continue;
    const at = `${where} ${h.in} parameter \`${h.name}\``;
    if (h.required) report('parameter-required', at, 'required parameter added');
    else report('parameter-added', at, 'optional parameter added');
  }
}

function diffRequestBody(where: string, bOp: Operation, hOp: Operation, report: Report): void {
  const [b, h] = [bOp.requestBody, hOp.requestBody];
  const at = `${where} request body`;
  if (h !== undefined && h.required === true && b?.required !== true) report('request-body-required', at, b === undefined ? 'required request body added' : 'request body is now required');
  else if (b !== undefined && b.required === true && h !== undefined && h.required !== true) report('request-body-optional', at, 'request body is no longer required');
  else if (b === undefined && h !== undefined) report('request-body-optional', at, 'optional request body added');
  diffContent(at, b?.content ?? {}, h?.content ?? {}, 'request', report);
}

function diffResponses(where: string, bResponses: Record<string, Response>, hResponses: Record<string, Response>, report: Report): void {
  for (const [status, b] of Object.entries(bResponses)) {
    const h = hResponses[status];
    const at = `${where} response ${status}`;
    if (h === undefined) {
      report('response-removed', at, `response ${status} removed`);
      continue;
    }
    diffContent(at, b.content ?? {}, h.content ?? {}, 'response', report);
    diffHeaders(at, b.headers ?? {}, h.headers ?? {}, report);
  }
  for (const status of Object.keys(hResponses)) {
    if (!(status in bResponses)) report('response-added', `${where} response ${status}`, `response ${status} added`);
  }
}

function diffContent(at: string, b: Record<string, MediaType>, h: Record<string, MediaType>, direction: Direction, report: Report): void {
  for (const [type, media] of Object.entries(b)) {
    const headMedia = h[type];
    if (headMedia === undefined) report('media-type-removed', at, `media type ${type} removed`);
    else diffSchema(media.schema, headMedia.schema, `${at} (${type})`, direction, report);
  }
  for (const type of Object.keys(h)) {
    if (!(type in b)) report('media-type-added', at, `media type ${type} added`);
  }
}

function diffHeaders(at: string, b: NonNullable<Response['headers']>, h: NonNullable<Response['headers']>, report: Report): void {
  const lower = (headers: typeof b) => new Map(Object.entries(headers).map(([name, header]) => [name.toLowerCase(), { name, header }]));
  const [bHeaders, hHeaders] = [lower(b), lower(h)];
  for (const [key, { name, header }] of bHeaders) {
    const headHeader = hHeaders.get(key);
    if (headHeader === undefined) report('response-header-removed', `${at} header \`${name}\``, 'response header removed');
    else diffSchema(header.schema, headHeader.header.schema, `${at} header \`${name}\``, 'response', report);
  }
  for (const [key, { name }] of hHeaders) {
    if (!bHeaders.has(key)) report('response-header-added', `${at} header \`${name}\``, 'response header added');
  }
}

/** Compares the requirements in force (the operation's own, else the document's) as unordered sets. */
function diffSecurity(where: string, b: SecurityRequirement[], h: SecurityRequirement[], report: Report): void {
  if (!isDeepStrictEqual(canonical(b), canonical(h))) report('security-changed', where, `security ${showSecurity(b)} → ${showSecurity(h)}`);
}

function canonical(requirements: SecurityRequirement[]): string[] {
  return requirements
    .map((r) => JSON.stringify(Object.entries(r).map(([scheme, scopes]) => [scheme, [...scopes].sort()]).sort()))
    .sort();
}

function showSecurity(requirements: SecurityRequirement[]): string {
  if (requirements.length === 0) return 'none';
  return requirements
    .map((r) => {
      const schemes = Object.entries(r).map(([scheme, scopes]) => (scopes.length ? `${scheme}(${scopes.join(', ')})` : scheme));
      return schemes.length ? schemes.join(' and ') : 'anonymous';
    })
    .join(' or ');
}
