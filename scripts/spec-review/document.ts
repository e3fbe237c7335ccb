/**
 * Reads an OpenAPI 3.0 or 3.1 document (YAML or JSON) for the review: the parsed value, the line
 * of every node (by JSON pointer) and `$ref` resolution by pointer, so that shared schemas keep
 * their identity and circular ones stay finite. A `$ref` to another file (`car.yaml#/Car`) is
 * read through the document's `readRef`, relative to the file that holds it; its nodes have
 * pointers such as `schemas/car.yaml#/Car`, and findings in it point into that file.
 */
import { posix } from 'node:path';
import { constructFromEvents, EVENT_ID, type Event, getScalarValue, parseEvents, YAMLException } from 'js-yaml';

/** A JSON object as parsed. */
export type Obj = Record<string, unknown>;

/** A parsed spec and where each of its nodes is. */
export interface SpecDocument {
  /** The file name shown in findings, such as `spec/cars.openapi.yaml`. */
  readonly file: string;
  readonly root: Obj;
  /** `3.0` or `3.1`, from the `openapi` field. */
  readonly version: string;
  /** The 1-based line of each node, keyed by JSON pointer (`#/paths/~1cars/get`); built on first use. */
  readonly lines: () => ReadonlyMap<string, number>;
  /** Another file that a `$ref` names, by its path (joined to this document's directory), read on first use. */
  readonly external: (file: string) => ParsedFile | Error;
  /** The files a `$ref` names that could not be read: the first such `$ref`, where it is, and why. */
  readonly unreadable: Map<string, { readonly ref: string; readonly ptr: string; readonly reason: string }>;
}

/** A parsed YAML or JSON file and the lines of its nodes. */
export interface ParsedFile {
  readonly root: unknown;
  readonly lines: () => ReadonlyMap<string, number>;
}

/** Reads another file that a `$ref` names, by its path; throws when it cannot. */
export type ReadRef = (file: string) => string;

/** A node of a document and its JSON pointer. */
export interface At<T = Obj> {
  readonly value: T;
  readonly ptr: string;
}

/** Why a spec could not be read, with the file and line. */
export class SpecReadError extends Error {}

/**
 * Parses `text` (YAML or JSON) as the spec named `file`. js-yaml's event parser serves both the
 * value and the lines: the `yaml` package's document model took 1.7 s on the 1.9 MB bench spec,
 * its events take 0.1 s (npm run bench:spec-review).
 */
export function readSpec(text: string, file: string, readRef: ReadRef = () => {
  throw new Error('no reader for other files');
}): SpecDocument {
  const { root, lines } = parseFile(text, file);
  if (!isObj(root)) throw new SpecReadError(`${file}:1: not an OpenAPI document (expected a mapping at the top)`);
  const version = typeof root.openapi === 'string' ? root.openapi : '';
  if (!/^3\.[01]\./.test(version)) throw new SpecReadError(`${file}:1: only OpenAPI 3.0 and 3.1 documents can be reviewed (openapi: ${JSON.stringify(root.openapi ?? null)})`);
  const externals = new Map<string, ParsedFile | Error>();
  const external = (path: string): ParsedFile | Error => {
    let found = externals.get(path);
    if (found === undefined) {
      try {
        found = parseFile(readRef(path), path);
      } catch (error) {
        found = error instanceof Error ? error : new Error(String(error));
      }
      externals.set(path, found);
    }
    return found;
  };
  return { file, root, version: version.slice(0, 3), lines, external, unreadable: new Map() };
}

/** Parses YAML or JSON; a syntax error is a SpecReadError with the file and line. */
function parseFile(text: string, file: string): ParsedFile {
  let root: unknown;
  try {
    root = constructFromEvents(parseEvents(text, { filename: file }), { source: text, filename: file })[0];
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    const line = error.mark === undefined ? 1 : lineAt(lineStarts(text), error.mark.position);
    throw new SpecReadError(`${file}:${line}: ${error.reason}`);
  }
  let lines: Map<string, number> | undefined;
  // The events are parsed again for the lines, when a finding needs one: keeping 200,000 of them
  // per side for later would cost more memory than the 0.1 s they take.
  return { root, lines: () => (lines ??= indexLines(text, parseEvents(text, { filename: file }))) };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let [lo, hi] = [0, starts.length - 1];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

interface Frame {
  readonly ptr: string;
  readonly map: boolean;
  /** In a mapping: the key whose value comes next, or undefined when a key comes next. */
  key: string | undefined;
  index: number;
}

/** The line of every node: a mapping entry by its key's line, a sequence item by its own. */
function indexLines(text: string, events: readonly Event[]): Map<string, number> {
  const starts = lineStarts(text);
  const lines = new Map<string, number>([['#', 1]]);
  const stack: Frame[] = [];
  let documents = 0;
  /** The pointer of the node that comes next in the current collection, and moves past it. */
  const next = (offset: number): string | undefined => {
    const top = stack.at(-1);
    if (top === undefined) return '#';
    if (!top.map) {
      const ptr = `${top.ptr}/${top.index++}`;
      lines.set(ptr, lineAt(starts, offset));
      return ptr;
    }
    const ptr = top.key === undefined ? undefined : `${top.ptr}/${escape(top.key)}`;
    top.key = undefined;
    return ptr;
  };
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      if (++documents > 1) break;
    } else if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
      const top = stack.at(-1);
      // A collection used as a mapping key (rare in OpenAPI) gets a pointer of its own that nothing asks for.
      const ptr = top?.map === true && top.key === undefined ? `${top.ptr}/?` : next(event.start);
      stack.push({ ptr: ptr ?? '#/?', map: event.type === EVENT_ID.MAPPING, key: undefined, index: 0 });
    } else if (event.type === EVENT_ID.POP) {
      stack.pop();
    } else {
      const top = stack.at(-1);
      if (top?.map === true && top.key === undefined && event.type === EVENT_ID.SCALAR) {
        top.key = getScalarValue(text, event);
        lines.set(`${top.ptr}/${escape(top.key)}`, lineAt(starts, event.valueStart));
      } else next(event.type === EVENT_ID.SCALAR ? event.valueStart : event.anchorStart);
    }
  }
  return lines;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function escape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Unescapes one JSON pointer segment (RFC 6901). */
export function unescape(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Whether a value is a JSON object (not an array, not null). */
export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The file a pointer points into: the document's own (`#/…`), or another one (`car.yaml#/…`). */
export function fileOf(doc: SpecDocument, ptr: string): string {
  const hash = ptr.indexOf('#');
  return hash > 0 ? ptr.slice(0, hash) : doc.file;
}

/** The line of `ptr` in its file, or of its nearest ancestor that has one. */
export function lineOf(doc: SpecDocument, ptr: string): number {
  const hash = Math.max(0, ptr.indexOf('#'));
  const parsed = hash === 0 ? doc : doc.external(ptr.slice(0, hash));
  if (parsed instanceof Error) return 1;
  for (let p = ptr.slice(hash); ; p = p.slice(0, p.lastIndexOf('/'))) {
    const line = parsed.lines().get(p);
    if (line !== undefined) return line;
    if (!p.includes('/')) return 1;
  }
}

/** The value at a pointer such as `#/components/schemas/Car` (or `car.yaml#/Car`), or undefined. */
export function get(doc: SpecDocument, ptr: string): unknown {
  const hash = Math.max(0, ptr.indexOf('#'));
  const parsed = hash === 0 ? doc : doc.external(ptr.slice(0, hash));
  if (parsed instanceof Error) return undefined;
  let value: unknown = parsed.root;
  for (const segment of ptr.slice(hash).split('/').slice(1)) {
    const key = unescape(segment);
    if (Array.isArray(value)) value = value[Number(key)];
    else if (isObj(value)) value = value[key];
    else return undefined;
  }
  return value;
}

/**
 * Follows `$ref`s from `node` to the object they name, in this document or in another file. A
 * `$ref` that cannot be resolved (a file that cannot be read, a URL, a dangling pointer) is left
 * as it is and compared as written; a file that cannot be read is noted in `doc.unreadable`.
 */
export function resolve(doc: SpecDocument, node: At<unknown>): At | undefined {
  let current = node;
  for (let hops = 0; hops < 64; hops++) {
    const value = current.value;
    if (!isObj(value)) return undefined;
    const ref = value.$ref;
    if (typeof ref !== 'string') return { value, ptr: current.ptr };
    const ptr = refPointer(doc, current.ptr, ref);
    const target = ptr === undefined ? undefined : get(doc, ptr);
    if (ptr === undefined || target === undefined) {
      noteUnreadable(doc, current.ptr, ref, ptr);
      return { value, ptr: current.ptr };
    }
    current = { value: target, ptr };
  }
  return undefined;
}

/** The pointer a `$ref` names, seen from the node at `from`: `#/…` in the same file, `other.yaml#/…` relative to it; undefined for a URL. */
function refPointer(doc: SpecDocument, from: string, ref: string): string | undefined {
  const hash = ref.indexOf('#');
  const [path, fragment] = hash === -1 ? [ref, ''] : [ref.slice(0, hash), ref.slice(hash + 1)];
  const here = Math.max(0, from.indexOf('#'));
  if (path === '') return `${from.slice(0, here)}#${fragment}`;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return undefined;
  const file = posix.normalize(posix.join(posix.dirname(here === 0 ? doc.file : from.slice(0, here)), decodeURI(path)));
  return file === posix.normalize(doc.file) ? `#${fragment}` : `${file}#${fragment}`;
}

function noteUnreadable(doc: SpecDocument, from: string, ref: string, ptr: string | undefined): void {
  const hash = ptr?.indexOf('#') ?? -1;
  const file = ptr === undefined ? ref : hash > 0 ? ptr.slice(0, hash) : undefined;
  if (file === undefined || doc.unreadable.has(file)) return;
  const parsed = ptr === undefined ? new Error('only local files are read, not URLs') : doc.external(file);
  if (parsed instanceof Error) doc.unreadable.set(file, { ref, ptr: from, reason: parsed.message.split('\n')[0] ?? '' });
}

/** The child `key` of an object node, resolved. */
export function child(doc: SpecDocument, node: At | undefined, key: string): At | undefined {
  if (node === undefined) return undefined;
  const value = node.value[key];
  if (value === undefined) return undefined;
  return resolve(doc, { value, ptr: `${node.ptr}/${escape(key)}` });
}

/** The entries of an object-valued child (such as `properties`), each resolved. */
export function entries(doc: SpecDocument, node: At | undefined, key: string): Map<string, At> {
  const result = new Map<string, At>();
  const map = node?.value[key];
  if (node === undefined || !isObj(map)) return result;
  for (const [name, value] of Object.entries(map)) {
    const at = resolve(doc, { value, ptr: `${node.ptr}/${escape(key)}/${escape(name)}` });
    if (at !== undefined) result.set(name, at);
  }
  return result;
}

/** The items of an array-valued child (such as `allOf`), each resolved. */
export function items(doc: SpecDocument, node: At | undefined, key: string): At[] {
  const list = node?.value[key];
  if (node === undefined || !Array.isArray(list)) return [];
  return list.flatMap((value, i) => resolve(doc, { value, ptr: `${node.ptr}/${escape(key)}/${i}` }) ?? []);
}

/** The HTTP methods an OpenAPI path item may hold. */
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
