/**
 * Reads an OpenAPI 3.0 or 3.1 document (YAML or JSON) for the review: the parsed value, the line
 * of every node (by JSON pointer) and `$ref` resolution by pointer, so that shared schemas keep
 * their identity and circular ones stay finite.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

/** A JSON object as parsed. */
export type Obj = Record<string, unknown>;

/** A parsed spec and where each of its nodes is. */
export interface SpecDocument {
  /** The file name shown in findings, such as `spec/cars.openapi.yaml`. */
  readonly file: string;
  readonly root: Obj;
  /** `3.0` or `3.1`, from the `openapi` field. */
  readonly version: string;
  /** The 1-based line of each node, keyed by JSON pointer (`#/paths/~1cars/get`). */
  readonly lines: ReadonlyMap<string, number>;
}

/** A node of a document and its JSON pointer. */
export interface At<T = Obj> {
  readonly value: T;
  readonly ptr: string;
}

/** Why a spec could not be read, with the file and line. */
export class SpecReadError extends Error {}

/** Parses `text` (YAML or JSON) as the spec named `file`. */
export function readSpec(text: string, file: string): SpecDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const line = lineCounter.linePos(problem.pos[0]).line;
    throw new SpecReadError(`${file}:${line}: ${problem.message.split('\n')[0]}`);
  }
  const root = doc.toJS({ maxAliasCount: -1 }) as unknown;
  if (!isObj(root)) throw new SpecReadError(`${file}:1: not an OpenAPI document (expected a mapping at the top)`);
  const version = typeof root.openapi === 'string' ? root.openapi : '';
  if (!/^3\.[01]\./.test(version)) throw new SpecReadError(`${file}:1: only OpenAPI 3.0 and 3.1 documents can be reviewed (openapi: ${JSON.stringify(root.openapi ?? null)})`);
  const lines = new Map<string, number>();
  lines.set('#', 1);
  if (doc.contents !== null) indexLines(doc.contents, '#', lines, lineCounter);
  return { file, root, version: version.slice(0, 3), lines };
}

function indexLines(node: YamlNode, ptr: string, lines: Map<string, number>, counter: LineCounter): void {
  const note = (at: string, anchor: YamlNode | null | undefined) => {
    if (anchor?.range) lines.set(at, counter.linePos(anchor.range[0]).line);
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const at = `${ptr}/${escape(key)}`;
      // The key's line, not the value's: a block mapping value starts on the line after its key.
      note(at, (pair.key as YamlNode | null) ?? (pair.value as YamlNode | null));
      if (isMap(pair.value) || isSeq(pair.value)) indexLines(pair.value, at, lines, counter);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const at = `${ptr}/${i}`;
      note(at, item as YamlNode | null);
      if (isMap(item) || isSeq(item)) indexLines(item, at, lines, counter);
    });
  }
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

/** The line of `ptr` in `doc`, or of its nearest ancestor that has one. */
export function lineOf(doc: SpecDocument, ptr: string): number {
  for (let p = ptr; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const line = doc.lines.get(p);
    if (line !== undefined) return line;
    if (!p.includes('/')) return 1;
  }
}

/** The value at a local pointer such as `#/components/schemas/Car`, or undefined. */
export function get(doc: SpecDocument, ptr: string): unknown {
  let value: unknown = doc.root;
  for (const segment of ptr.split('/').slice(1)) {
    const key = unescape(segment);
    if (Array.isArray(value)) value = value[Number(key)];
    else if (isObj(value)) value = value[key];
    else return undefined;
  }
  return value;
}

/**
 * Follows `$ref`s from `node` to the object they name. A `$ref` the document cannot resolve
 * (external or dangling) is left as it is, and compared as written.
 */
export function resolve(doc: SpecDocument, node: At<unknown>): At | undefined {
  let current = node;
  for (let hops = 0; hops < 64; hops++) {
    const value = current.value;
    if (!isObj(value)) return undefined;
    const ref = value.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#')) return { value, ptr: current.ptr };
    const target = get(doc, ref);
    if (target === undefined) return { value, ptr: current.ptr };
    current = { value: target, ptr: ref };
  }
  return undefined;
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
