/** Compares paths, webhooks and operations: parameters, request bodies, responses, headers and security. */
import { type At, child, entries, escape, isObj, METHODS, resolve, type SpecDocument } from './document.js';
import { type Differ, type RawFinding, same, type Side } from './differ.js';
import type { SchemaPrefix } from './rules.js';
import { isJsonMediaType, mediaTypeRename, pairMediaTypes } from './media-types.js';
import { diffSchema, DOC_KEYWORDS, show } from './schema.js';
import { belowThreshold, diffStability } from './stability.js';
import { diffRequirements, ownSecurity } from './security.js';

/** Every path (or webhook) of a document, keyed so that renaming `{id}` to `{carId}` is no change: clients never see the name. */
function indexItems(doc: SpecDocument, key: 'paths' | 'webhooks'): Map<string, { name: string; item: At }> {
  const result = new Map<string, { name: string; item: At }>();
  const root = { value: doc.root, ptr: '#' };
  for (const [name, item] of entries(doc, root, key)) {
    result.set(key === 'paths' ? name.replace(/\{[^}]*\}/g, '{}') : name, { name, item });
  }
  return result;
}

/** The operations of a path item. */
function operations(doc: SpecDocument, item: At): Map<string, At> {
  const result = new Map<string, At>();
  for (const method of METHODS) {
    const op = child(doc, item, method);
    if (op !== undefined) result.set(method, op);
  }
  return result;
}

/** Compares every path and webhook. */
export function diffPaths(d: Differ): void {
  for (const kind of ['paths', 'webhooks'] as const) {
    const webhook = kind === 'webhooks';
    const [b, h] = [indexItems(d.base, kind), indexItems(d.head, kind)];
    for (const [shape, { name, item }] of b) {
      const other = h.get(shape);
      const bOps = operations(d.base, item);
      const label = (method: string, n: string) => (webhook ? `webhook ${n} ${method.toUpperCase()}` : `${method.toUpperCase()} ${n}`);
      if (other === undefined) {
        const names = [...bOps.keys()].map((m) => label(m, name));
        if (webhook) d.emit('webhook-removed', 'base', item.ptr, `webhook ${name}`, 'webhook removed', names);
        else if (bOps.size === 0) d.emit('api-path-removed-without-deprecation', 'base', item.ptr, `path ${name}`, 'path removed', []);
        // One finding per operation, as oasdiff reports them: each was deprecated or not.
        else for (const [method, op] of bOps) d.emit(removalRule(d, op, 'api-path', label(method, name)), 'base', op.ptr, label(method, name), `path removed, with ${label(method, name)}`, [label(method, name)]);
        continue;
      }
      // Clients never see a path parameter's name: `/cars/{id}` → `/cars/{carId}` changes only the text.
      if (other.name !== name) d.emit('equivalent-change', 'head', other.item.ptr, `path ${other.name}`, `path ${name} renamed ${other.name}: the same URLs`, [...bOps.keys()].map((m) => label(m, other.name)));
      const hOps = operations(d.head, other.item);
      for (const [method, bOp] of bOps) {
        const hOp = hOps.get(method);
        if (hOp === undefined) {
          const opName = label(method, name);
          d.emit(webhook ? 'webhook-removed' : removalRule(d, bOp, 'api', opName), 'base', bOp.ptr, opName, 'operation removed', [opName]);
        } else diffOperation(d, label(method, other.name), { b: item, h: other.item }, { b: bOp, h: hOp }, webhook, { b: name, h: other.name });
      }
      for (const [method, hOp] of hOps) {
        const opName = label(method, other.name);
        if (!bOps.has(method)) d.emit(webhook ? 'webhook-added' : 'endpoint-added', 'head', hOp.ptr, opName, 'operation added', [opName]);
      }
      leftovers(d, item, other.item, webhook ? `webhook ${other.name}` : `path ${other.name}`, new Set([...METHODS, 'parameters']), []);
    }
    for (const [shape, { name, item }] of h) {
      if (b.has(shape)) continue;
      const names = [...operations(d.head, item).keys()].map((m) => (webhook ? `webhook ${name} ${m.toUpperCase()}` : `${m.toUpperCase()} ${name}`));
      if (webhook) d.emit('webhook-added', 'head', item.ptr, `webhook ${name}`, 'webhook added', names);
      else for (const [method, op] of operations(d.head, item)) d.emit('endpoint-added', 'head', op.ptr, `${method.toUpperCase()} ${name}`, 'operation added', [`${method.toUpperCase()} ${name}`]);
    }
  }
}

/**
 * The rule for removing an operation: allowed only when it was deprecated and its `x-sunset`
 * date, if any, has passed (oasdiff docs/DEPRECATION.md, checker/check_api_removed.go).
 */
function removalRule(d: Differ, op: At, stem: 'api' | 'api-path', opName: string): string {
  if (belowThreshold(op.value)) d.unstable.add(opName);
  if (op.value.deprecated !== true) return `${stem}-removed-without-deprecation`;
  const sunset = d.sunset(op.value);
  if (sunset === 'invalid') return 'api-path-sunset-parse';
  return sunset === 'passed' ? `${stem}-removed-with-deprecation` : `${stem}-removed-before-sunset`;
}

interface Pair<T = At> {
  readonly b: T;
  readonly h: T;
}

const OPERATION_KEYS = new Set(['parameters', 'requestBody', 'responses', 'security', 'deprecated', 'x-sunset', 'x-stability-level', 'operationId', 'tags']);

function diffOperation(d: Differ, opName: string, items: Pair, ops: Pair, webhook: boolean, paths: Pair<string>): void {
  const [b, h] = [ops.b.value, ops.h.value];
  const ownership = [opName];
  const say = (rule: string, side: Side, message: string, key?: string) => {
    const node = side === 'base' ? ops.b : ops.h;
    d.emit(rule, side, key !== undefined && key in node.value ? `${node.ptr}/${escape(key)}` : node.ptr, opName, message, ownership);
  };
  const sunset = (node: Record<string, unknown>) => (node['x-sunset'] === undefined ? '' : ` (x-sunset ${show(node['x-sunset'])})`);
  if (belowThreshold(h)) d.unstable.add(opName);
  diffStability(b, h, { decreased: 'api-stability-decreased', increased: 'api-stability-increased' }, (rule, side, message) => say(rule, side, message, 'x-stability-level'));
  if (b.deprecated !== true && h.deprecated === true) {
    if (d.sunset(h) === 'invalid') say('api-deprecated-sunset-parse', 'head', `x-sunset ${show(h['x-sunset'])} is not a date`, 'x-sunset');
    else say(h['x-sunset'] === undefined ? 'endpoint-deprecated' : 'endpoint-deprecated-with-sunset', 'head', `operation deprecated${sunset(h)}`, 'deprecated');
  }
  if (b.deprecated === true && h.deprecated !== true) say('endpoint-reactivated', 'head', 'operation no longer deprecated');
  if (!same(b['x-sunset'], h['x-sunset']) && b.deprecated === true && h.deprecated === true) {
    if (h['x-sunset'] === undefined) say('sunset-deleted', 'base', `x-sunset ${show(b['x-sunset'])} removed; still deprecated`, 'x-sunset');
    else say('api-sunset-changed', 'head', `x-sunset ${show(b['x-sunset'])} → ${show(h['x-sunset'])}`, 'x-sunset');
  }
  else if (!same(b['x-sunset'], h['x-sunset']) && !(b.deprecated !== true && h.deprecated === true)) say('extension-changed', 'head', `x-sunset ${show(b['x-sunset'])} → ${show(h['x-sunset'])}`, 'x-sunset');
  if (!same(b.operationId, h.operationId)) {
    if (b.operationId === undefined) say('api-operation-id-added', 'head', `operationId ${show(h.operationId)} added`, 'operationId');
    else say('api-operation-id-removed', h.operationId === undefined ? 'base' : 'head', `operationId ${show(b.operationId)} → ${show(h.operationId)}`, 'operationId');
  }
  const tags = (node: Record<string, unknown>) => (Array.isArray(node.tags) ? node.tags.map(String) : []);
  for (const tag of tags(h)) if (!tags(b).includes(tag)) say('api-tag-added', 'head', `tag \`${tag}\` added`, 'tags');
  for (const tag of tags(b)) if (!tags(h).includes(tag)) say('api-tag-removed', 'base', `tag \`${tag}\` removed`, 'tags');

  const attribute = (found: RawFinding[]) => found.forEach((f) => f.operations.add(opName));
  diffParameters(d, opName, items, ops, paths, attribute);
  diffRequestBody(d, opName, ops, webhook, attribute);
  diffResponses(d, opName, ops, webhook, attribute);
  // Requirements inherited from the document are compared once, for all operations, by diffGlobalSecurity.
  const [bOwn, hOwn] = [ownSecurity(b), ownSecurity(h)];
  if (bOwn !== undefined || hOwn !== undefined) {
    const effective = (own: typeof bOwn, doc: SpecDocument) => own ?? ownSecurity(doc.root) ?? [];
    diffRequirements(d, effective(bOwn, d.base), effective(hOwn, d.head), {
      bPtr: bOwn === undefined ? '#/security' : `${ops.b.ptr}/security`,
      hPtr: hOwn === undefined ? '#/security' : `${ops.h.ptr}/security`,
      where: `${opName} security`,
      operations: [opName],
      global: false,
    });
  }
  leftovers(d, ops.b, ops.h, opName, OPERATION_KEYS, ownership);
}

/** Compares the document-wide `security`, for the operations that inherit it. */
export function diffGlobalSecurity(d: Differ): void {
  const [b, h] = [ownSecurity(d.base.root) ?? [], ownSecurity(d.head.root) ?? []];
  if (same(b, h)) return;
  const inheriting: string[] = [];
  for (const { name, item } of indexItems(d.head, 'paths').values()) {
    for (const [method, op] of operations(d.head, item)) if (ownSecurity(op.value) === undefined) inheriting.push(`${method.toUpperCase()} ${name}`);
  }
  diffRequirements(d, b, h, { bPtr: '#/security', hPtr: '#/security', where: 'security (document-wide)', operations: inheriting, global: true });
}

/** Compares keys of two objects that no rule covers: documentation, extensions, and anything else for a human. */
export function leftovers(d: Differ, b: At, h: At, where: string, handled: ReadonlySet<string>, operations: string[]): void {
  const docs: string[] = [];
  for (const key of new Set([...Object.keys(b.value), ...Object.keys(h.value)])) {
    if (handled.has(key) || same(b.value[key], h.value[key])) continue;
    const side: Side = key in h.value ? 'head' : 'base';
    const ptr = `${(side === 'head' ? h : b).ptr}/${escape(key)}`;
    if (DOC_KEYWORDS.has(key)) docs.push(key);
    else if (key === 'servers') d.emit('servers-changed', side, ptr, where, serversChange(b.value.servers, h.value.servers), operations);
    else if (key.startsWith('x-')) d.emit('extension-changed', side, ptr, where, `${key} ${show(b.value[key])} → ${show(h.value[key])}`, operations);
    else d.emit('unclassified-change', side, ptr, where, `\`${key}\` changed: ${show(b.value[key])} → ${show(h.value[key])}; review by hand`, operations);
  }
  if (docs.length > 0) d.emit('documentation-changed', 'head', h.ptr, where, `${docs.join(', ')} changed`, operations);
}

/** What changed in a `servers` list: the URLs added and removed, or that the servers' details changed. */
function serversChange(b: unknown, h: unknown): string {
  const urls = (list: unknown) => (Array.isArray(list) ? list.map((s) => String(isObj(s) ? s.url : s)) : []);
  const [bu, hu] = [urls(b), urls(h)];
  const added = hu.filter((u) => !bu.includes(u));
  const removed = bu.filter((u) => !hu.includes(u));
  const parts = [...added.map((u) => `+ ${u}`), ...removed.map((u) => `− ${u}`)];
  return `servers changed${parts.length > 0 ? `: ${parts.join(', ')}` : ' (descriptions or variables)'}`;
}

/**
 * An operation's parameters (path-level ones overridden by its own), keyed as clients send them;
 * `fromPath` holds the keys that come from the path item.
 */
function parameters(doc: SpecDocument, item: At, op: At, path: string): { params: Map<string, At>; fromPath: Set<string> } {
  const templateNames = [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  const result = new Map<string, At>();
  const fromPath = new Set<string>();
  for (const owner of [item, op]) {
    const list = owner.value.parameters;
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      const p = resolve(doc, { value: raw, ptr: `${owner.ptr}/parameters/${i}` });
      if (p === undefined) return;
      const name = String(p.value.name);
      const where = String(p.value.in);
      // Path parameters are matched by position, header names case-insensitively (RFC 9110 §5.1).
      const id = where === 'path' ? `path#${templateNames.indexOf(name)}` : `${where}:${where === 'header' ? name.toLowerCase() : name}`;
      result.set(id, p);
      if (owner === item) fromPath.add(id);
      else fromPath.delete(id);
    });
  }
  return { params: result, fromPath };
}

const PARAMETER_KEYS = new Set(['name', 'in', 'required', 'deprecated', 'x-sunset', 'schema', 'content', 'style', 'explode', 'allowReserved', 'allowEmptyValue']);

function diffParameters(d: Differ, opName: string, items: Pair, ops: Pair, paths: Pair<string>, attribute: (f: RawFinding[]) => void): void {
  const [{ params: bParams }, { params: hParams, fromPath }] = [parameters(d.base, items.b, ops.b, paths.b), parameters(d.head, items.h, ops.h, paths.h)];
  const describe = (p: At) => `${opName} ${String(p.value.in)} parameter \`${String(p.value.name)}\``;
  for (const [id, bp] of bParams) {
    const hp = hParams.get(id);
    if (hp === undefined) {
      const rule = bp.value.deprecated === true ? (d.sunsetPassed(bp.value) ? 'request-parameter-removed-with-deprecation' : 'request-parameter-removed-before-sunset') : 'request-parameter-removed';
      d.emit(rule, 'base', bp.ptr, describe(bp), 'parameter removed', [opName]);
      continue;
    }
    const where = describe(hp);
    if (bp.value.in === 'path' && bp.value.name !== hp.value.name) d.emit('equivalent-change', 'head', hp.ptr, where, `path parameter \`${String(bp.value.name)}\` renamed \`${String(hp.value.name)}\``, [opName]);
    const say = (rule: string, message: string, key?: string) => d.emit(rule, 'head', key !== undefined && key in hp.value ? `${hp.ptr}/${key}` : hp.ptr, where, message, [opName], hp.ptr);
    if (bp.value.required !== true && hp.value.required === true) say('request-parameter-became-required', 'parameter became required', 'required');
    if (bp.value.required === true && hp.value.required !== true) say('request-parameter-became-optional', 'parameter became optional', 'required');
    if (bp.value.deprecated !== true && hp.value.deprecated === true) {
      if (d.sunset(hp.value) === 'invalid') say('request-parameter-sunset-parse', `parameter deprecated, x-sunset ${show(hp.value['x-sunset'])} is not a date`, 'x-sunset');
      else say('request-parameter-deprecated', 'parameter deprecated', 'deprecated');
    }
    if (bp.value.deprecated === true && hp.value.deprecated !== true) say('request-parameter-reactivated', 'parameter no longer deprecated', 'deprecated');
    for (const key of ['style', 'explode', 'allowReserved', 'allowEmptyValue']) {
      if (!same(bp.value[key], hp.value[key])) say('request-parameter-serialization-changed', `${key} ${show(bp.value[key])} → ${show(hp.value[key])}`, key);
    }
    if (!same(bp.value['x-sunset'], hp.value['x-sunset'])) {
      const deleted = hp.value['x-sunset'] === undefined && bp.value.deprecated === true && hp.value.deprecated === true;
      if (deleted) d.emit('request-parameter-sunset-deleted', 'base', `${bp.ptr}/x-sunset`, where, `x-sunset ${show(bp.value['x-sunset'])} removed; still deprecated`, [opName], hp.ptr);
      else say('extension-changed', `x-sunset ${show(bp.value['x-sunset'])} → ${show(hp.value['x-sunset'])}`, 'x-sunset');
    }
    const formArray = hp.value.in === 'query' && (hp.value.style ?? 'form') === 'form' && hp.value.explode !== false;
    schemaPresence(d, { b: bp, h: hp }, where, [opName], 'unclassified-change');
    attribute(diffSchema(d, child(d.base, bp, 'schema'), child(d.head, hp, 'schema'), { prefix: 'request-parameter', where, loose: 'parameter', formArray }));
    diffContent(d, where, { b: bp, h: hp }, 'request-parameter', [opName], attribute, anyMediaChange('request-parameter-serialization-changed'));
    leftovers(d, bp, hp, where, PARAMETER_KEYS, [opName]);
  }
  for (const [id, hp] of hParams) {
    if (bParams.has(id)) continue;
    const required = hp.value.required === true ? 'required' : 'optional';
    // A parameter of the path item applies to every operation of it (oasdiff: a "default" parameter).
    const rule = fromPath.has(id) ? `new-${required}-request-default-parameter-to-existing-path` : `new-${required}-request-parameter`;
    d.emit(rule, 'head', hp.ptr, describe(hp), `${hp.value.required === true ? 'required' : 'optional'} parameter added`, [opName]);
  }
}

/** The rules for media types of a `content` map: added, removed, and renamed to an equivalent name. */
interface MediaRules {
  readonly added: string;
  readonly removed: string;
  readonly renamed: (from: string, to: string) => string;
}

/** One rule for every media type change (parameters and headers, where oasdiff has no rule of its own). */
const anyMediaChange = (rule: string): MediaRules => ({ added: rule, removed: rule, renamed: () => rule });

/**
 * Compares the `content` maps of two nodes: media types added or removed, and the schema of each
 * one kept, or renamed to an equivalent name (oasdiff's pairing, see media-types.ts).
 */
function diffContent(
  d: Differ,
  where: string,
  nodes: Pair,
  prefix: SchemaPrefix,
  operations: string[],
  attribute: (f: RawFinding[]) => void,
  rules: MediaRules,
): void {
  const [b, h] = [entries(d.base, nodes.b, 'content'), entries(d.head, nodes.h, 'content')];
  const { pairs, removed, added } = pairMediaTypes(b.keys(), h.keys());
  for (const type of removed) {
    const bm = b.get(type);
    if (bm !== undefined) d.emit(rules.removed, 'base', bm.ptr, where, `media type ${type} removed`, operations);
  }
  for (const [bType, type] of pairs) {
    const [bm, hm] = [b.get(bType), h.get(type)];
    if (bm === undefined || hm === undefined) continue;
    if (bType !== type) d.emit(rules.renamed(bType, type), 'head', hm.ptr, where, `media type ${bType} → ${type}`, operations);
    const at = `${where} (${type})`;
    const json = isJsonMediaType(type) || prefix === 'request-parameter' || prefix === 'response-header';
    const presence = prefix === 'request-body' || prefix === 'response-body' ? `${prefix}-media-type-schema` : 'unclassified-change';
    schemaPresence(d, { b: bm, h: hm }, at, operations, presence);
    attribute(diffSchema(d, child(d.base, bm, 'schema'), child(d.head, hm, 'schema'), { prefix, where: at, ...(json ? {} : { loose: 'body' as const }) }));
    leftovers(d, bm, hm, at, new Set(['schema']), operations);
  }
  for (const type of added) {
    const hm = h.get(type);
    if (hm !== undefined) d.emit(rules.added, 'head', hm.ptr, where, `media type ${type} added`, operations);
  }
}

/** oasdiff's rules for a response media type renamed (check_response_mediatype_name_updated.go). */
function responseRename(from: string, to: string): string {
  return `response-media-type-name-${{ parameters: 'changed', specialized: 'specialized', generalized: 'generalized' }[mediaTypeRename(from, to)]}`;
}

function diffRequestBody(d: Differ, opName: string, ops: Pair, webhook: boolean, attribute: (f: RawFinding[]) => void): void {
  const [b, h] = [child(d.base, ops.b, 'requestBody'), child(d.head, ops.h, 'requestBody')];
  const where = `${opName} request body`;
  if (b === undefined && h === undefined) return;
  if (b === undefined && h !== undefined) {
    d.emit(h.value.required === true ? 'request-body-added-required' : 'request-body-added-optional', 'head', h.ptr, where, `${h.value.required === true ? 'required' : 'optional'} request body added`, [opName]);
    return;
  }
  if (b !== undefined && h === undefined) {
    d.emit('request-body-removed', 'base', b.ptr, where, 'request body removed', [opName]);
    return;
  }
  if (b === undefined || h === undefined) return;
  if (b.value.required !== true && h.value.required === true) d.emit('request-body-became-required', 'head', h.ptr, where, 'request body became required', [opName]);
  if (b.value.required === true && h.value.required !== true) d.emit('request-body-became-optional', 'head', h.ptr, where, 'request body became optional', [opName]);
  // A webhook's request is sent by the API: its body travels like a response.
  diffContent(d, where, { b, h }, webhook ? 'response-body' : 'request-body', [opName], attribute, {
    added: 'request-body-media-type-added',
    removed: 'request-body-media-type-removed',
    renamed: () => 'request-body-media-type-name-changed',
  });
  leftovers(d, b, h, where, new Set(['content', 'required']), [opName]);
}

/**
 * A schema that appears or disappears where a value is described: `stem-added`/`stem-removed`
 * for media types (oasdiff's request-body-media-type-schema-added...), else left to a human.
 */
function schemaPresence(d: Differ, nodes: Pair, where: string, operations: string[], stem: string): void {
  const [b, h] = ['schema' in nodes.b.value, 'schema' in nodes.h.value];
  if (b === h) return;
  const unclassified = stem === 'unclassified-change';
  const rule = unclassified ? stem : `${stem}-${h ? 'added' : 'removed'}`;
  const side: Side = h ? 'head' : 'base';
  d.emit(rule, side, `${(h ? nodes.h : nodes.b).ptr}/schema`, where, `schema ${h ? 'added' : 'removed'}${unclassified ? '; review by hand' : ''}`, operations);
}

/** 2xx responses are what clients wait for (oasdiff: 200–299); others are documentation of failures. */
function success(status: string): boolean {
  return /^2(\d\d|XX)$/i.test(status);
}

function diffResponses(d: Differ, opName: string, ops: Pair, webhook: boolean, attribute: (f: RawFinding[]) => void): void {
  const [b, h] = [entries(d.base, ops.b, 'responses'), entries(d.head, ops.h, 'responses')];
  for (const [status, br] of b) {
    const hr = h.get(status);
    const where = `${opName} response ${status}`;
    if (hr === undefined) {
      d.emit(success(status) ? 'response-success-status-removed' : 'response-non-success-status-removed', 'base', br.ptr, where, `response ${status} removed`, [opName]);
      continue;
    }
    diffContent(d, where, { b: br, h: hr }, webhook ? 'request-body' : 'response-body', [opName], attribute, { added: 'response-media-type-added', removed: 'response-media-type-removed', renamed: responseRename });
    diffHeaders(d, where, { b: br, h: hr }, opName, attribute);
    leftovers(d, br, hr, where, new Set(['content', 'headers']), [opName]);
  }
  for (const [status, hr] of h) {
    if (!b.has(status)) d.emit(success(status) ? 'response-success-status-added' : 'response-non-success-status-added', 'head', hr.ptr, `${opName} response ${status}`, `response ${status} added`, [opName]);
  }
}

function diffHeaders(d: Differ, where: string, responses: Pair, opName: string, attribute: (f: RawFinding[]) => void): void {
  const lower = (map: Map<string, At>) => new Map([...map].map(([name, at]) => [name.toLowerCase(), { name, at }]));
  const [b, h] = [lower(entries(d.base, responses.b, 'headers')), lower(entries(d.head, responses.h, 'headers'))];
  for (const [key, { name, at: bh }] of b) {
    const other = h.get(key);
    const at = `${where} header \`${name}\``;
    if (other === undefined) {
      d.emit(bh.value.required === true ? 'required-response-header-removed' : 'optional-response-header-removed', 'base', bh.ptr, at, 'response header removed', [opName]);
      continue;
    }
    const hh = other.at;
    if (bh.value.required === true && hh.value.required !== true) d.emit('response-header-became-optional', 'head', hh.ptr, at, 'response header became optional', [opName]);
    if (bh.value.required !== true && hh.value.required === true) d.emit('response-header-became-required', 'head', hh.ptr, at, 'response header became required', [opName]);
    schemaPresence(d, { b: bh, h: hh }, at, [opName], 'unclassified-change');
    attribute(diffSchema(d, child(d.base, bh, 'schema'), child(d.head, hh, 'schema'), { prefix: 'response-header', where: at }));
    diffContent(d, at, { b: bh, h: hh }, 'response-header', [opName], attribute, anyMediaChange('unclassified-change'));
    leftovers(d, bh, hh, at, new Set(['schema', 'content', 'required']), [opName]);
  }
  for (const [key, { name, at: hh }] of h) {
    if (!b.has(key)) d.emit('response-header-added', 'head', hh.ptr, `${where} header \`${name}\``, 'response header added', [opName]);
  }
}
