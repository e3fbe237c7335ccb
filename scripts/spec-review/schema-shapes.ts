/**
 * The shape of a schema, as the comparison needs it: its types and nullability, its composition
 * branches, whether it only annotates, and whether one side wraps the other into a composition
 * (`$ref X` → `oneOf: [{type: 'null'}, $ref X]`, `oneOf: [X, Y]`, `allOf: [X]`).
 */
import { type At, isObj, resolve, type SpecDocument } from './document.js';

/** A composition keyword. */
export type Composition = 'oneOf' | 'anyOf' | 'allOf';

/** A branch of a composition: the resolved schema, and the pointer where it is written. */
export interface Branch {
  readonly at: At;
  readonly written: string;
}

/** The branches of a composition keyword, keyed by the component they name (or by position when inline). */
export function branches(doc: SpecDocument, node: At, keyword: string): Map<string, Branch> {
  const raw = node.value[keyword];
  const result = new Map<string, Branch>();
  if (!Array.isArray(raw)) return result;
  raw.forEach((value, i) => {
    const written = `${node.ptr}/${keyword}/${i}`;
    const at = resolve(doc, { value, ptr: written });
    if (at === undefined) return;
    const ref = isObj(value) ? value.$ref : undefined;
    // An inline branch of one plain type is known by it, so that reordering a list of types changes nothing.
    const typed = typeof ref !== 'string' && isSimpleType(at.value) ? `{type: ${[...(typeInfo(at.value).types ?? [])].join()}}` : undefined;
    const key = typeof ref === 'string' ? `\`${ref.split('/').pop() ?? ref}\`` : typed !== undefined && !result.has(typed) ? typed : `#${i}`;
    result.set(key, { at, written });
  });
  return result;
}

/** A schema's types without `null`, and whether it admits `null`. */
export interface TypeInfo {
  /** The non-null types; undefined admits any. */
  readonly types: Set<string> | undefined;
  readonly nullable: boolean;
}

/** The types of a schema: `type` (a name or, in 3.1, a list) and `nullable` (3.0). */
export function typeInfo(schema: Record<string, unknown>): TypeInfo {
  const raw = schema.type;
  const list = raw === undefined ? undefined : (Array.isArray(raw) ? raw : [raw]).map(String);
  const nullable = schema.nullable === true || (list?.includes('null') ?? false);
  const types = list === undefined ? undefined : new Set(list.filter((t) => t !== 'null'));
  return { types: types?.size === 0 ? (list?.includes('null') ? new Set() : undefined) : types, nullable };
}

/** Keywords that only annotate: a schema of nothing else validates like `{}` (oasdiff diff/schema_validation_equivalence.go). */
const ANNOTATIONS = new Set(['title', 'description', 'default', 'example', 'examples', 'externalDocs', '$comment']);

/** Whether a schema only annotates (an `allOf` branch of a description adds no constraint). */
export function isAnnotationOnly(schema: Record<string, unknown>): boolean {
  return Object.keys(schema).every((key) => ANNOTATIONS.has(key));
}

/** Whether a schema admits `null` and nothing else: `{type: 'null'}`, the branch that makes a `oneOf` nullable. */
export function isBareNull(schema: Record<string, unknown>): boolean {
  const { types, nullable } = typeInfo(schema);
  return nullable && types?.size === 0 && Object.keys(schema).every((key) => key === 'type' || ANNOTATIONS.has(key));
}

/** Whether a schema is one plain type (`type: string`, with limits), as a branch of oasdiff's list-of-types pattern. */
export function isSimpleType(schema: Record<string, unknown>): boolean {
  const { types } = typeInfo(schema);
  return types?.size === 1 && !types.has('object') && !types.has('array') && !['properties', 'items', 'oneOf', 'anyOf', 'allOf', 'not'].some((k) => k in schema);
}

/** A composition that wraps a plain schema: the branch that stands for it, and the others. */
export interface Wrap {
  readonly keyword: Composition;
  /** `wrapped`: the head wraps the base; `unwrapped`: the base was the wrapper. */
  readonly direction: 'wrapped' | 'unwrapped';
  /** The wrapper's branch that stands for the plain side. */
  readonly match: Branch;
  /** The wrapper's other branches, by key, `null` ones apart. */
  readonly others: ReadonlyMap<string, Branch>;
  readonly nullBranches: readonly Branch[];
}

/** Keywords that give a schema a shape of its own: a wrapper has none of them. */
const SHAPE = ['properties', 'items', 'prefixItems', 'additionalProperties', 'patternProperties'];

/**
 * Whether one side wraps the other into a composition: the plain side has no such keyword, the
 * wrapper has no shape of its own beside it, and one of its branches stands for the plain side.
 * Comparing the wrapper itself with the plain schema would read every property as removed.
 */
export function findWrap(base: { doc: SpecDocument; at: At }, head: { doc: SpecDocument; at: At }): Wrap | undefined {
  for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
    for (const direction of ['wrapped', 'unwrapped'] as const) {
      const [plain, wrapper] = direction === 'wrapped' ? [base, head] : [head, base];
      if (!Array.isArray(wrapper.at.value[keyword]) || hasComposition(plain.at.value)) continue;
      if (SHAPE.some((k) => k in wrapper.at.value) || ['oneOf', 'anyOf', 'allOf'].some((k) => k !== keyword && k in wrapper.at.value)) continue;
      const all = branches(wrapper.doc, wrapper.at, keyword);
      const nullBranches = [...all.values()].filter((b) => isBareNull(b.at.value));
      const candidates = [...all].filter(([, b]) => !isBareNull(b.at.value));
      const matchKey = matchBranch(plain.at, candidates);
      const match = matchKey === undefined ? undefined : all.get(matchKey);
      if (matchKey === undefined || match === undefined) continue;
      const others = new Map(candidates.filter(([key]) => key !== matchKey));
      return { keyword, direction, match, others, nullBranches };
    }
  }
  return undefined;
}

function hasComposition(schema: Record<string, unknown>): boolean {
  return 'oneOf' in schema || 'anyOf' in schema || 'allOf' in schema;
}

/**
 * The key of the branch that stands for `plain`: the same component, else the one that shares
 * most of its properties, else the one of its type; a lone branch stands for it in any case.
 */
function matchBranch(plain: At, candidates: ReadonlyArray<readonly [string, Branch]>): string | undefined {
  const same = candidates.find(([, b]) => b.at.ptr === plain.ptr);
  if (same !== undefined) return same[0];
  const names = (s: Record<string, unknown>) => (isObj(s.properties) ? Object.keys(s.properties) : []);
  const own = new Set(names(plain.value));
  if (own.size > 0) {
    let best: [string, number] | undefined;
    for (const [key, b] of candidates) {
      const shared = names(b.at.value).filter((n) => own.has(n)).length;
      if (shared > 0 && (best === undefined || shared > best[1])) best = [key, shared];
    }
    if (best !== undefined) return best[0];
  }
  const types = [...(typeInfo(plain.value).types ?? [])].sort().join();
  const typed = candidates.find(([, b]) => types !== '' && [...(typeInfo(b.at.value).types ?? [])].sort().join() === types);
  if (typed !== undefined) return typed[0];
  return candidates.length === 1 ? candidates[0]?.[0] : undefined;
}
