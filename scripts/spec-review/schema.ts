/**
 * Compares two schemas found at the same place of the API. Requests and responses break in
 * opposite directions: a request schema must not reject what it accepted, and a response schema
 * must not produce what it did not promise. Shared (`$ref`) schemas are compared once per place
 * kind, so one change is one finding whatever the number of operations that use it.
 */
import { type At, child, entries, isObj, items } from './document.js';
import { type Differ, type RawFinding, same, type Side } from './differ.js';
import { boundName, facetRule, type SchemaPrefix } from './rules.js';
import { diffStability } from './stability.js';
import { branches, findWrap, isAnnotationOnly, isSimpleType, typeInfo, type Wrap } from './schema-shapes.js';

/** Where a schema sits and what it is called in the report. */
export interface SchemaPlace {
  readonly prefix: SchemaPrefix;
  readonly where: string;
  /** Set inside a readOnly property of a request (or writeOnly of a response): every change there is info. */
  readonly gate?: 'request-read-only-property-changed' | 'response-write-only-property-changed';
  /**
   * Values travel as text (a parameter, or a body that is not JSON), so a type that takes text
   * takes every old value: `parameter` for parameters, `body` for other media types
   * (oasdiff checker/check_types.go, isStronglyTyped).
   */
  readonly loose?: 'parameter' | 'body';
  /** A query parameter sent as form, exploded: one value is also a valid array of one. */
  readonly formArray?: boolean;
  /** The path inside the schema at `where`, such as `/owner/name`. */
  readonly path?: string;
  /** For a property: whether the base schema requires it (oasdiff names read/write-only changes by it). */
  readonly required?: boolean;
}

/** The name of a place in findings: the anchor, then the path inside its schema. */
function placeName(place: SchemaPlace): string {
  return place.path ? `${place.where} ${place.path}` : place.where;
}

/** Keywords that carry no contract: a change to them is documentation. */
export const DOC_KEYWORDS = new Set(['description', 'summary', 'title', 'example', 'examples', 'externalDocs', '$comment', 'xml']);

/** Keywords this module reasons about; a change to any other one is reported for a human. */
const HANDLED = new Set([
  'type', 'nullable', 'format', 'enum', 'const', 'maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties', 'pattern', 'multipleOf',
  'uniqueItems', 'default', 'readOnly', 'writeOnly', 'deprecated', 'discriminator', 'oneOf', 'anyOf', 'allOf', 'not',
  'properties', 'required', 'additionalProperties', 'items', '$ref', 'minContains', 'maxContains', 'contains', 'if', 'then', 'else',
  'dependentRequired', 'dependentSchemas', 'patternProperties', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties',
  'prefixItems', 'contentSchema', 'contentMediaType', 'contentEncoding',
]);

/** JSON Schema 2020-12 keywords holding one sub-schema that restricts values: compared inside when both sides have one. */
const SUBSCHEMAS: ReadonlyArray<readonly [string, string]> = [
  ['contains', 'contains'], ['if', 'if'], ['then', 'then'], ['else', 'else'], ['propertyNames', 'property-names'],
  ['unevaluatedItems', 'unevaluated-items'], ['unevaluatedProperties', 'unevaluated-properties'], ['contentSchema', 'content-schema'],
];

/** JSON Schema 2020-12 keywords holding a map of sub-schemas (or of lists), compared entry by entry. */
const SUBSCHEMA_MAPS: ReadonlyArray<readonly [string, string]> = [
  ['dependentSchemas', 'dependent-schema'], ['patternProperties', 'pattern-property'], ['dependentRequired', 'dependent-required'],
];

/** Bounds: the keyword and whether a larger value lets fewer values through. */
const BOUNDS: ReadonlyArray<readonly [string, 'upper' | 'lower']> = [
  ['maximum', 'upper'], ['exclusiveMaximum', 'upper'], ['maxLength', 'upper'], ['maxItems', 'upper'], ['maxProperties', 'upper'],
  ['minimum', 'lower'], ['exclusiveMinimum', 'lower'], ['minLength', 'lower'], ['minItems', 'lower'], ['minProperties', 'lower'],
  ['maxContains', 'upper'], ['minContains', 'lower'],
];

/** Formats that contain another one of the same type (oasdiff checker/check_types.go). */
const WIDER_FORMAT: Record<string, Record<string, string[]>> = {
  number: { double: ['float'] },
  integer: { int64: ['int32'], bigint: ['int32', 'int64'] },
  string: { 'date-time': ['date', 'time'] },
};

/** Compares `base` and `head` at `place` and answers the findings under it (old ones included, for shared schemas). */
export function diffSchema(d: Differ, base: At | undefined, head: At | undefined, place: SchemaPlace): RawFinding[] {
  if (base === undefined || head === undefined) return [];
  const key = `${place.prefix}\u0000${place.gate ?? ''}\u0000${place.required ?? ''}\u0000${base.ptr}\u0000${head.ptr}`;
  const known = d.schemaMemo.get(key);
  if (known !== undefined) return known;
  // A circular schema reaches itself again: the outer comparison covers it.
  if (d.inProgress.has(key)) return [];
  d.inProgress.add(key);
  d.compared.add(base.ptr).add(head.ptr);
  const found: RawFinding[] = [];
  new SchemaWalk(d, base, head, place, found).run();
  d.inProgress.delete(key);
  d.schemaMemo.set(key, found);
  return found;
}

class SchemaWalk {
  readonly #request: boolean;
  #b: Record<string, unknown>;
  #h: Record<string, unknown>;
  /** The composition keyword that wraps one side into the other, reported by wrapping(), not by composition(). */
  #wrapped: Wrap['keyword'] | undefined;

  constructor(
    readonly d: Differ,
    public base: At,
    public head: At,
    readonly place: SchemaPlace,
    readonly found: RawFinding[],
  ) {
    this.#request = place.prefix.startsWith('request');
    this.#b = base.value;
    this.#h = head.value;
  }

  run(): void {
    const before = this.found.length;
    const wrap = findWrap({ doc: this.d.base, at: this.base }, { doc: this.d.head, at: this.head });
    if (wrap !== undefined) this.wrapping(wrap);
    const [b, h] = [this.#b, this.#h];
    if (typeof b.$ref === 'string' || typeof h.$ref === 'string') {
      // A reference the document could not resolve (another file): compared as written.
      if (!same(b.$ref, h.$ref)) this.say('unclassified-change', 'head', `$ref ${show(b.$ref)} → ${show(h.$ref)}: review by hand`);
    }
    const comparable = this.types();
    this.enums();
    this.constant();
    if (comparable) this.bounds();
    this.simple();
    this.flags();
    this.composition();
    if (comparable) {
      this.properties();
      this.additionalProperties();
      this.items();
      this.keywords2020();
    }
    this.leftovers();
    // A wrap that changes nothing else (`$ref X` → `allOf: [$ref X]`) is still a difference.
    if (wrap !== undefined && this.found.length === before) {
      this.say('equivalent-change', 'head', `wrapped in ${wrap.keyword} with ${wrap.match.at.ptr === this.base.ptr ? 'the same schema' : 'an equivalent schema'}`, `${this.head.ptr}/${wrap.keyword}`);
    }
  }

  /**
   * One side wraps the other into a composition (oasdiff's nullable and oneOf wrapping, see
   * docs/NULLABILITY.md): the plain schema is compared with the branch that stands for it, the
   * other branches are the change, and the wrapper itself is compared only in what it says
   * beside its branches (`nullable: true`, a description), so no property reads as removed.
   */
  wrapping(wrap: Wrap): void {
    const { keyword, match, others, nullBranches } = wrap;
    const wrapped = wrap.direction === 'wrapped';
    const [plain, wrapper] = wrapped ? [this.#b, this.#h] : [this.#h, this.#b];
    if (wrapped) this.nest(this.base, match.at, '');
    else this.nest(match.at, this.head, '');
    const side = wrapped ? 'head' : 'base';
    const name = { oneOf: 'one-of', anyOf: 'any-of', allOf: 'all-of' }[keyword];
    const change = wrapped ? 'added' : 'removed';
    if (nullBranches.length > 0 && !typeInfo(plain).nullable) {
      this.say(wrapped ? 'became-nullable' : 'became-not-nullable', side, `${wrapped ? 'wrapped in' : 'unwrapped from'} ${keyword} with a null branch`, nullBranches[0]?.written, true);
    }
    const ids = [...others.keys()].join(', ');
    const firstPtr = [...others.values()][0]?.written;
    if (others.size === 0) {
      // Nothing beside the plain schema (and perhaps null).
    } else if (keyword !== 'allOf' && isSimpleType(plain) && [...others.values()].every((b) => isSimpleType(b.at.value))) {
      // oasdiff's list-of-types: `type: string` → `oneOf: [{type: string}, {type: integer}]`.
      this.say(wrapped ? 'list-of-types-widened' : 'list-of-types-narrowed', side, `${keyword} ${wrapped ? 'adds' : 'drops'} ${ids}`, firstPtr, true);
    } else if (keyword === 'oneOf' && wrapped && (this.place.prefix === 'request-body' || this.place.prefix === 'response-body') && isObj(plain.properties)) {
      // oasdiff: a payload valid before may now match two alternatives, and oneOf rejects it.
      this.say(`${this.#request ? 'request' : 'response'}-body-wrapped-in-one-of`, 'head', `wrapped in oneOf with ${ids}`, `${this.head.ptr}/oneOf`);
    } else {
      for (const [id, branch] of others) {
        const annotation = keyword === 'allOf' && isAnnotationOnly(branch.at.value) ? '-annotation-only' : '';
        this.say(`${name}-${change}${annotation}`, side, `${keyword} branch ${id} ${change}`, branch.written, true);
      }
    }
    // The wrapper is compared only in the keywords it has beside its branches.
    const beside = Object.fromEntries(Object.entries(plain).filter(([key]) => key in wrapper && key !== keyword));
    if (wrapped) [this.#b, this.base] = [beside, { value: beside, ptr: this.base.ptr }];
    else [this.#h, this.head] = [beside, { value: beside, ptr: this.head.ptr }];
    this.#wrapped = keyword;
  }

  /** Reports a finding; facet suffixes become the id for this place (`max-length-increased` → `request-property-max-length-increased`). */
  say(ruleOrSuffix: string, side: Side, message: string, ptr?: string, facet = false): void {
    const id = facet ? facetRule(this.place.prefix, ruleOrSuffix) : ruleOrSuffix;
    const exempt = /-(deprecated|reactivated|read-only|write-only|with-sunset|sunset-invalid|stability-decreased|stability-increased|stability-level)$/.test(id);
    this.sayGated(exempt ? undefined : this.place.gate, id, side, message, ptr ?? (side === 'base' ? this.base.ptr : this.head.ptr));
  }

  facet(suffix: string, message: string, keyword?: string): void {
    const ptr = keyword !== undefined && keyword in this.#h ? `${this.head.ptr}/${keyword}` : undefined;
    this.say(suffix, 'head', message, ptr, true);
  }

  /** Types, nullability and format; answers whether the two still share a type, so that deeper comparison makes sense. */
  types(): boolean {
    const [b, h] = [typeInfo(this.#b), typeInfo(this.#h)];
    if (!b.nullable && h.nullable) this.facet('became-nullable', 'became nullable', 'type');
    if (b.nullable && !h.nullable) this.facet('became-not-nullable', 'became not nullable', 'type');
    const show = (t: Set<string> | undefined, format: unknown) => `${t === undefined ? 'any' : [...t].join(', ')}${typeof format === 'string' ? `/${format}` : ''}`;
    const message = `type/format ${show(b.types, this.#b.format)} → ${show(h.types, this.#h.format)}`;
    const verdict = typeVerdict(b.types, h.types);
    const scalar = (t: Set<string> | undefined) => t?.size === 1 && !t.has('array') && !t.has('object');
    if (this.place.formArray && scalar(b.types) && h.types?.size === 1 && h.types.has('array')) {
      // `?color=red` is a valid value of both `color: string` and `color: string[]` (form, explode).
      const items = child(this.d.head, this.head, 'items');
      const itemTypes = typeInfo(items?.value ?? {}).types;
      if (itemTypes === undefined || (b.types !== undefined && covers(itemTypes, b.types))) {
        this.facet('type-generalized', `${message} (one value is an array of one)`, 'type');
        // The old value is now an item: its limits are compared with the item's.
        if (items !== undefined) this.nest(this.base, items, '/[]');
        return false;
      }
    }
    if (this.place.loose !== undefined && (verdict === 'changed' || verdict === 'narrowed')) {
      const text = (t: Set<string> | undefined) => t === undefined || (t.size === 1 && t.has('string'));
      if (this.#request ? text(h.types) : text(b.types)) {
        this.facet(this.place.loose === 'parameter' && this.#request ? 'type-generalized' : 'type-compatible', `${message} (sent as text)`, 'type');
        return true;
      }
    }
    if (verdict === 'same') {
      const single = b.types?.size === 1 ? [...b.types][0] : undefined;
      const formatVerdict = formatChange(single, this.#b.format, this.#h.format);
      if (formatVerdict !== 'same') this.typeChange(formatVerdict, message, 'format');
      return true;
    }
    if (verdict === 'list-widened' || verdict === 'list-narrowed') {
      this.facet(verdict === 'list-widened' ? 'list-of-types-widened' : 'list-of-types-narrowed', `type ${show(b.types, undefined)} → ${show(h.types, undefined)}`, 'type');
    } else this.typeChange(verdict, message, h.types === undefined ? 'removed' : 'type');
    if (b.types === undefined || h.types === undefined) return true;
    return [...b.types].some((t) => h.types?.has(t) || (t === 'integer' && h.types?.has('number')) || (t === 'number' && h.types?.has('integer')));
  }

  /**
   * A type or format change, as oasdiff's check_types.go judges it: a request may accept more (a
   * wider type or format, or none); a response is `generalized` only when its set of types grew,
   * and any other change that may return what clients did not expect (a wider format such as
   * int32 → int64, or no type or format at all) is `changed`.
   */
  typeChange(verdict: 'widened' | 'narrowed' | 'changed', message: string, axis: 'type' | 'format' | 'removed'): void {
    if (verdict === 'narrowed') this.facet(this.#request ? 'type-changed' : 'type-specialized', message, 'type');
    else if (verdict === 'widened' && (this.#request || axis === 'type')) this.facet('type-generalized', message, 'type');
    else this.facet('type-changed', message, 'type');
  }

  enums(): void {
    const [b, h] = [this.#b.enum, this.#h.enum];
    if (!Array.isArray(b) && !Array.isArray(h)) return;
    if (!Array.isArray(b)) return this.facet('became-enum', `became an enum ${show(h)}`, 'enum');
    if (!Array.isArray(h)) return this.facet('enum-removed', `enum ${show(b)} removed`);
    for (const value of b) if (!h.some((v) => same(v, value))) this.facet('enum-value-removed', `enum value ${show(value)} removed`, 'enum');
    for (const value of h) if (!b.some((v) => same(v, value))) this.facet('enum-value-added', `enum value ${show(value)} added`, 'enum');
  }

  constant(): void {
    const [b, h] = [this.#b.const, this.#h.const];
    if (same(b, h)) return;
    if (b === undefined) this.facet('const-added', `const ${show(h)} set`, 'const');
    else if (h === undefined) this.facet('const-removed', `const ${show(b)} removed`);
    else this.facet('const-changed', `const ${show(b)} → ${show(h)}`, 'const');
  }

  bounds(): void {
    const [bs, hs] = exclusiveBoundsAlike(this.#b, this.#h);
    for (const [keyword, kind] of BOUNDS) {
      const [b, h] = [bs[keyword], hs[keyword]];
      if (same(b, h)) continue;
      const name = boundName(keyword);
      const message = `${keyword} ${show(b)} → ${show(h)}`;
      if (typeof b === 'boolean' || typeof h === 'boolean') {
        // OpenAPI 3.0: exclusiveMaximum/exclusiveMinimum are flags on maximum/minimum.
        const [bOn, hOn] = [b === true, h === true];
        if (bOn === hOn) continue;
        // Turning the flag on lets fewer values through: an upper bound in effect decreases.
        this.facet(`${name}-${hOn === (kind === 'upper') ? 'decreased' : 'increased'}`, message, keyword);
        continue;
      }
      if (b === undefined) this.facet(`${name}-set`, message, keyword);
      else if (h === undefined) this.facet(`${name}-unset`, message);
      else if (typeof b === 'number' && typeof h === 'number') this.facet(`${name}-${h < b ? 'decreased' : 'increased'}`, message, keyword);
    }
  }

  simple(): void {
    const [b, h] = [this.#b, this.#h];
    if (!same(b.pattern, h.pattern)) {
      const message = `pattern ${show(b.pattern)} → ${show(h.pattern)}`;
      this.facet(b.pattern === undefined ? 'pattern-added' : h.pattern === undefined ? 'pattern-removed' : h.pattern === '.*' ? 'pattern-generalized' : 'pattern-changed', message, 'pattern');
    }
    if (!same(b.multipleOf, h.multipleOf)) this.facet('multiple-of-changed', `multipleOf ${show(b.multipleOf)} → ${show(h.multipleOf)}`, 'multipleOf');
    if ((b.uniqueItems === true) !== (h.uniqueItems === true)) {
      this.facet(h.uniqueItems === true ? 'unique-items-added' : 'unique-items-removed', `uniqueItems ${show(b.uniqueItems ?? false)} → ${show(h.uniqueItems ?? false)}`, 'uniqueItems');
    }
    if (!same(b.default, h.default)) {
      const suffix = b.default === undefined ? 'default-value-added' : h.default === undefined ? 'default-value-removed' : 'default-value-changed';
      this.facet(suffix, `default ${show(b.default)} → ${show(h.default)}`, 'default');
    }
    if (!same(b.discriminator, h.discriminator)) this.discriminator();
  }

  /** The discriminator, as oasdiff splits it: added, removed, property name, and each mapping entry. */
  discriminator(): void {
    const [b, h] = [this.#b.discriminator, this.#h.discriminator];
    if (!isObj(b) || !isObj(h)) {
      if (isObj(h)) this.facet('discriminator-added', `discriminator ${show(h)} added`, 'discriminator');
      else if (isObj(b)) this.facet('discriminator-removed', `discriminator ${show(b)} removed`);
      return;
    }
    if (!same(b.propertyName, h.propertyName)) this.facet('discriminator-property-name-changed', `discriminator propertyName ${show(b.propertyName)} → ${show(h.propertyName)}`, 'discriminator');
    const [bm, hm] = [isObj(b.mapping) ? b.mapping : {}, isObj(h.mapping) ? h.mapping : {}];
    for (const key of Object.keys(hm)) {
      if (!(key in bm)) this.facet('discriminator-mapping-added', `discriminator mapping ${show(key)} added`, 'discriminator');
      else if (!same(bm[key], hm[key])) this.facet('discriminator-mapping-changed', `discriminator mapping ${show(key)}: ${show(bm[key])} → ${show(hm[key])}`, 'discriminator');
    }
    for (const key of Object.keys(bm)) if (!(key in hm)) this.facet('discriminator-mapping-deleted', `discriminator mapping ${show(key)} removed`);
    // Other keys of the discriminator (extensions): reported as they are.
    const rest = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'propertyName' && k !== 'mapping'));
    if (!same(rest(b), rest(h))) this.say('extension-changed', 'head', `discriminator ${show(rest(b))} → ${show(rest(h))}`, this.ptrIn('discriminator'));
  }

  flags(): void {
    const [b, h] = [this.#b, this.#h];
    const dir = this.#request ? 'request' : 'response';
    const property = this.place.prefix === 'request-property' || this.place.prefix === 'response-property';
    for (const [keyword, name] of [['readOnly', 'read-only'], ['writeOnly', 'write-only']] as const) {
      if ((b[keyword] === true) === (h[keyword] === true)) continue;
      const change = `became-${h[keyword] === true ? '' : 'not-'}${name}`;
      const message = `${keyword} ${b[keyword] === true} → ${h[keyword] === true}`;
      // oasdiff names a property's change by whether the base requires it.
      if (property) this.say(`${dir}-${this.place.required === true ? 'required' : 'optional'}-property-${change}`, 'head', message, this.ptrIn(keyword));
      else this.facet(change, message, keyword);
    }
    if (property) {
      const say = (rule: string, side: Side, message: string) => this.say(rule, side, message, this.ptrIn('x-stability-level'));
      diffStability(b, h, { decreased: `${dir}-property-stability-decreased`, increased: `${dir}-property-stability-increased` }, say);
    }
    if ((b.deprecated === true) !== (h.deprecated === true)) {
      const ptr = this.ptrIn('deprecated');
      if (h.deprecated !== true) this.say(`${dir}-property-reactivated`, 'head', 'no longer deprecated', ptr);
      else if (h['x-sunset'] === undefined) this.say(`${dir}-property-deprecated`, 'head', 'deprecated', ptr);
      else if (this.d.sunset(h) === 'invalid') this.say(`${dir}-property-deprecated-sunset-invalid`, 'head', `deprecated, x-sunset ${show(h['x-sunset'])} is not a date`, ptr);
      else this.say(`${dir}-property-deprecated-with-sunset`, 'head', `deprecated (x-sunset ${show(h['x-sunset'])})`, ptr);
    }
  }

  ptrIn(keyword: string): string {
    return keyword in this.#h ? `${this.head.ptr}/${keyword}` : this.head.ptr;
  }

  composition(): void {
    for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
      if (keyword === this.#wrapped) continue;
      const name = { oneOf: 'one-of', anyOf: 'any-of', allOf: 'all-of' }[keyword];
      const [b, h] = [branches(this.d.base, this.base, keyword), branches(this.d.head, this.head, keyword)];
      // oasdiff's list-of-types: branches of one plain type each are a list of types.
      const simple = (m: Map<string, { at: At }>) => m.size > 0 && [...m.values()].every((x) => isSimpleType(x.at.value));
      const listOfTypes = keyword !== 'allOf' && simple(b) && simple(h);
      const annotation = (x: { at: At }) => (keyword === 'allOf' && isAnnotationOnly(x.at.value) ? '-annotation-only' : '');
      for (const [id, branch] of b) {
        const other = h.get(id);
        if (other !== undefined) this.nest(branch.at, other.at, '');
        else if (listOfTypes) this.facet('list-of-types-narrowed', `${keyword} branch ${id} removed`);
        else this.say(`${name}-removed${annotation(branch)}`, 'base', `${keyword} branch ${id} removed`, branch.written, true);
      }
      for (const [id, branch] of h) {
        if (b.has(id)) continue;
        if (listOfTypes) this.say('list-of-types-widened', 'head', `${keyword} branch ${id} added`, branch.written, true);
        else this.say(`${name}-added${annotation(branch)}`, 'head', `${keyword} branch ${id} added`, branch.written, true);
      }
    }
    const [b, h] = [this.#b.not, this.#h.not];
    if (b === undefined && h !== undefined) this.facet('not-added', `not ${show(h)} set`, 'not');
    else if (b !== undefined && h === undefined) this.facet('not-removed', `not ${show(b)} removed`);
    else if (!same(b, h)) this.facet('not-changed', `not ${show(b)} → ${show(h)}`, 'not');
  }

  /** Compares a sub-schema at the same kind of place (a composition branch) or one level down (a property). */
  nest(b: At, h: At, suffix: string, gate = this.place.gate, down = false, required?: boolean): void {
    const prefix = down ? childPrefix(this.place.prefix) : this.place.prefix;
    // A composition branch stays at the same property, so it keeps its requiredness.
    const req = down ? required : this.place.required;
    const place: SchemaPlace = {
      prefix,
      where: this.place.where,
      path: `${this.place.path ?? ''}${suffix}`,
      ...(gate === undefined ? {} : { gate }),
      ...(this.place.loose === undefined ? {} : { loose: this.place.loose }),
      ...(req === undefined ? {} : { required: req }),
    };
    this.found.push(...diffSchema(this.d, b, h, place));
  }

  properties(): void {
    const [b, h] = [entries(this.d.base, this.base, 'properties'), entries(this.d.head, this.head, 'properties')];
    const required = (s: Record<string, unknown>) => new Set(Array.isArray(s.required) ? s.required.map(String) : []);
    const [bReq, hReq] = [required(this.#b), required(this.#h)];
    const dir = this.#request ? 'request' : 'response';
    for (const [name, bp] of b) {
      const gate = this.gateFor(bp.value);
      const hp = h.get(name);
      if (hp === undefined) {
        const deprecated = bp.value.deprecated === true;
        let id: string;
        if (deprecated) id = this.d.sunsetPassed(bp.value) ? `${dir}-property-removed-with-deprecation` : `${dir}-property-removed-before-sunset`;
        else if (this.#request) id = 'request-property-removed';
        else id = bReq.has(name) ? 'response-required-property-removed' : 'response-optional-property-removed';
        this.sayGated(gate, id, 'base', `property \`${name}\` removed`, bp.ptr);
        continue;
      }
      const gateH = gate ?? this.gateFor(hp.value);
      const withDefault = hp.value.default === undefined ? '' : '-with-default';
      if (this.#request && !bReq.has(name) && hReq.has(name)) this.sayGated(gateH, `request-property-became-required${withDefault}`, 'head', `property \`${name}\` became required`, hp.ptr);
      if (this.#request && bReq.has(name) && !hReq.has(name)) this.sayGated(gateH, 'request-property-became-optional', 'head', `property \`${name}\` became optional`, hp.ptr);
      if (!this.#request && bReq.has(name) && !hReq.has(name)) this.sayGated(gateH, 'response-property-became-optional', 'head', `property \`${name}\` became optional`, hp.ptr);
      if (!this.#request && !bReq.has(name) && hReq.has(name)) this.sayGated(gateH, 'response-property-became-required', 'head', `property \`${name}\` became required`, hp.ptr);
      this.nest(bp, hp, `/${name}`, gateH, true, bReq.has(name));
    }
    // Names required without a property of their own (often with allOf): the requirement still binds.
    for (const name of hReq) {
      if (bReq.has(name) || b.has(name) || h.has(name)) continue;
      this.say(this.#request ? 'request-property-became-required' : 'response-property-became-required', 'head', `\`${name}\` became required`, this.ptrIn('required'));
    }
    for (const name of bReq) {
      if (hReq.has(name) || b.has(name) || h.has(name)) continue;
      this.say(this.#request ? 'request-property-became-optional' : 'response-property-became-optional', 'head', `\`${name}\` no longer required`, this.ptrIn('required'));
    }
    for (const [name, hp] of h) {
      if (b.has(name)) continue;
      const gate = this.gateFor(hp.value);
      const req = hReq.has(name);
      const withDefault = hp.value.default === undefined ? '' : '-with-default';
      const id = this.#request ? (req ? `new-required-request-property${withDefault}` : 'new-optional-request-property') : req ? 'response-required-property-added' : 'response-optional-property-added';
      this.sayGated(gate, id, 'head', `property \`${name}\`${req ? ' (required)' : ''} added`, hp.ptr);
    }
  }

  /** Inside a request, clients never send readOnly properties; inside a response, servers never send writeOnly ones. */
  gateFor(property: Record<string, unknown>): SchemaPlace['gate'] {
    if (this.place.gate !== undefined) return this.place.gate;
    if (this.#request && property.readOnly === true) return 'request-read-only-property-changed';
    if (!this.#request && property.writeOnly === true) return 'response-write-only-property-changed';
    return undefined;
  }

  /**
   * Reports a finding inside a readOnly request property or a writeOnly response one (`gate`) as
   * oasdiff's rule for it where it has one (`response-optional-write-only-property-added`), else
   * as the gate's rule with the underlying rule named in the message.
   */
  sayGated(gate: SchemaPlace['gate'], id: string, side: Side, message: string, ptr: string): void {
    const node = side === 'base' ? this.base.ptr : this.head.ptr;
    const precise = gate === undefined ? id : GATED[id];
    const [rule, text] = precise !== undefined ? [precise, message] : [gate ?? id, `${id}: ${message}`];
    this.found.push(this.d.emit(rule, side, ptr, placeName(this.place), text, [], node));
  }

  additionalProperties(): void {
    const [b, h] = [this.#b.additionalProperties, this.#h.additionalProperties];
    if (same(b, h)) return;
    const openness = (v: unknown) => (v === false ? 0 : isObj(v) && Object.keys(v).length > 0 ? 1 : 2);
    const [bo, ho] = [openness(b), openness(h)];
    const message = `additionalProperties ${show(b ?? true)} → ${show(h ?? true)}`;
    if (ho < bo) this.facet('additional-properties-narrowed', message, 'additionalProperties');
    else if (ho > bo) this.facet('additional-properties-widened', message, 'additionalProperties');
    else if (bo === 1) {
      const bAt = child(this.d.base, this.base, 'additionalProperties');
      const hAt = child(this.d.head, this.head, 'additionalProperties');
      if (bAt && hAt) this.nest(bAt, hAt, '/{additionalProperties}', this.place.gate, true);
    }
  }

  items(): void {
    const bAt = child(this.d.base, this.base, 'items');
    const hAt = child(this.d.head, this.head, 'items');
    if (bAt && hAt) this.nest(bAt, hAt, '/[]', this.place.gate, true);
    else if (bAt) this.facet('items-removed', 'items schema removed');
    else if (hAt) this.facet('items-added', 'items schema added', 'items');
  }

  /** contains, if/then/else, dependent*, patternProperties, propertyNames, unevaluated*, prefixItems and content*. */
  keywords2020(): void {
    const [b, h] = [this.#b, this.#h];
    // `true` admits everything: it is the same as the keyword being absent.
    const present = (v: unknown) => v !== undefined && v !== true;
    for (const [keyword, name] of SUBSCHEMAS) {
      if (same(b[keyword], h[keyword])) continue;
      if (!present(b[keyword])) this.facet(`${name}-added`, `${keyword} ${show(h[keyword])} added`, keyword);
      else if (!present(h[keyword])) this.facet(`${name}-removed`, `${keyword} ${show(b[keyword])} removed`);
      else {
        const [bs, hs] = [child(this.d.base, this.base, keyword), child(this.d.head, this.head, keyword)];
        if (bs && hs) this.nest(bs, hs, `/${keyword}`);
        else this.say('unclassified-change', 'head', `${keyword} ${show(b[keyword])} → ${show(h[keyword])}; review by hand`, this.ptrIn(keyword));
      }
    }
    for (const [keyword, name] of SUBSCHEMA_MAPS) {
      if (same(b[keyword], h[keyword])) continue;
      const [bm, hm] = [isObj(b[keyword]) ? b[keyword] : {}, isObj(h[keyword]) ? h[keyword] : {}];
      const [bs, hs] = [entries(this.d.base, this.base, keyword), entries(this.d.head, this.head, keyword)];
      for (const key of Object.keys(bm)) if (!(key in hm)) this.facet(`${name}-removed`, `${keyword} ${show(key)} removed`);
      for (const key of Object.keys(hm)) {
        if (!(key in bm)) this.facet(`${name}-added`, `${keyword} ${show(key)} added`, keyword);
        else if (keyword === 'dependentRequired') {
          if (!same(bm[key], hm[key])) this.facet('dependent-required-changed', `dependentRequired ${show(key)}: ${show(bm[key])} → ${show(hm[key])}`, keyword);
        } else {
          const [x, y] = [bs.get(key), hs.get(key)];
          if (x && y) this.nest(x, y, `/${keyword}/${key}`);
        }
      }
    }
    const [bp, hp] = [Array.isArray(b.prefixItems) ? b.prefixItems : [], Array.isArray(h.prefixItems) ? h.prefixItems : []];
    if (!same(bp, hp)) {
      const [bl, hl] = [items(this.d.base, this.base, 'prefixItems'), items(this.d.head, this.head, 'prefixItems')];
      for (let i = 0; i < Math.max(bl.length, hl.length); i++) {
        const [x, y] = [bl[i], hl[i]];
        if (x && y) this.nest(x, y, `/[${i}]`);
        else if (y) this.facet('prefix-items-added', `prefixItems position ${i} added`, 'prefixItems');
        else this.facet('prefix-items-removed', `prefixItems position ${i} removed`);
      }
    }
    for (const [keyword, name] of [['contentMediaType', 'content-media-type'], ['contentEncoding', 'content-encoding']] as const) {
      if (!same(b[keyword], h[keyword])) this.facet(`${name}-changed`, `${keyword} ${show(b[keyword])} → ${show(h[keyword])}`, keyword);
    }
  }

  /** Zalando's x-extensible-enum: a request value removed from it breaks callers that send it (oasdiff). */
  extensibleEnum(): void {
    const [b, h] = [this.#b['x-extensible-enum'], this.#h['x-extensible-enum']];
    const missing = (from: unknown, to: unknown) => (Array.isArray(from) ? from.filter((v) => !(Array.isArray(to) && to.some((w) => same(v, w)))) : []);
    const [removed, added] = [missing(b, h), missing(h, b)];
    const id = this.place.prefix === 'request-parameter' ? 'request-parameter-x-extensible-enum-value-removed' : 'request-property-x-extensible-enum-value-removed';
    for (const value of removed) this.say(id, 'head', `x-extensible-enum value ${show(value)} removed`, this.ptrIn('x-extensible-enum'));
    // Added values, or the extension set or dropped as a whole, are reported as they are.
    if (removed.length === 0 || added.length > 0) this.say('extension-changed', 'head', `x-extensible-enum ${show(b)} → ${show(h)}`, this.ptrIn('x-extensible-enum'));
  }

  leftovers(): void {
    const keys = new Set([...Object.keys(this.#b), ...Object.keys(this.#h)]);
    const docs: string[] = [];
    for (const key of keys) {
      if (HANDLED.has(key) || same(this.#b[key], this.#h[key])) continue;
      // A property's stability is compared by flags().
      if (key === 'x-stability-level' && (this.place.prefix === 'request-property' || this.place.prefix === 'response-property')) continue;
      if (DOC_KEYWORDS.has(key)) docs.push(key);
      else if (key === 'x-extensible-enum' && this.#request && this.place.prefix !== 'request-body') this.extensibleEnum();
      else if (key.startsWith('x-')) this.say('extension-changed', 'head', `${key} ${show(this.#b[key])} → ${show(this.#h[key])}`, this.ptrIn(key));
      else this.say('unclassified-change', key in this.#h ? 'head' : 'base', `keyword \`${key}\` changed: ${show(this.#b[key])} → ${show(this.#h[key])}; review by hand`, key in this.#h ? this.ptrIn(key) : `${this.base.ptr}/${key}`);
    }
    if (docs.length > 0) this.say('documentation-changed', 'head', `${docs.join(', ')} changed`);
  }
}

/**
 * The two schemas with exclusive bounds in one form: OpenAPI 3.0 makes `exclusiveMinimum: true`
 * a flag on `minimum`, 3.1 (JSON Schema) makes `exclusiveMinimum: 0` the bound itself. When the
 * sides differ in form (a 3.0 → 3.1 migration), the 3.0 side is read as 3.1, so that
 * `minimum: 0, exclusiveMinimum: true` → `exclusiveMinimum: 0` is no change.
 */
function exclusiveBoundsAlike(b: Record<string, unknown>, h: Record<string, unknown>): [Record<string, unknown>, Record<string, unknown>] {
  const pairs = [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const;
  const flags = (s: Record<string, unknown>) => pairs.some(([flag]) => typeof s[flag] === 'boolean');
  const numbers = (s: Record<string, unknown>) => pairs.some(([flag]) => typeof s[flag] === 'number');
  if (!((flags(b) && numbers(h)) || (flags(h) && numbers(b)))) return [b, h];
  const as31 = (s: Record<string, unknown>) => {
    const out = { ...s };
    for (const [flag, bound] of pairs) {
      if (typeof s[flag] !== 'boolean') continue;
      delete out[flag];
      if (s[flag] === true && typeof s[bound] === 'number') [out[flag], out[bound]] = [s[bound], undefined];
    }
    return out;
  };
  return [as31(b), as31(h)];
}

/** oasdiff's rules for changes inside a readOnly request property or a writeOnly response one, by the rule they would be elsewhere. */
const GATED: Readonly<Record<string, string>> = {
  'response-optional-property-added': 'response-optional-write-only-property-added',
  'response-required-property-added': 'response-required-write-only-property-added',
  'response-optional-property-removed': 'response-optional-write-only-property-removed',
  'response-required-property-removed': 'response-required-write-only-property-removed',
  'response-property-became-optional': 'response-write-only-property-became-optional',
  'response-property-became-required': 'response-write-only-property-became-required',
  'response-property-enum-value-added': 'response-write-only-property-enum-value-added',
  'request-property-enum-value-removed': 'request-read-only-property-enum-value-removed',
  'request-property-max-decreased': 'request-read-only-property-max-decreased',
  'request-property-max-length-decreased': 'request-read-only-property-max-length-decreased',
  'request-property-min-increased': 'request-read-only-property-min-increased',
  'request-property-exclusive-max-decreased': 'request-read-only-property-exclusive-max-decreased',
  'request-property-exclusive-min-increased': 'request-read-only-property-exclusive-min-increased',
};

/** The prefix of a schema one level down: a body's properties are properties; parameters and headers stay. */
function childPrefix(prefix: SchemaPrefix): SchemaPrefix {
  if (prefix === 'request-body') return 'request-property';
  if (prefix === 'response-body') return 'response-property';
  return prefix;
}

function covers(outer: Set<string>, inner: Set<string>): boolean {
  return [...inner].every((t) => outer.has(t) || (t === 'integer' && outer.has('number')));
}

function typeVerdict(b: Set<string> | undefined, h: Set<string> | undefined): 'same' | 'widened' | 'narrowed' | 'changed' | 'list-widened' | 'list-narrowed' {
  if (b === undefined && h === undefined) return 'same';
  if (h === undefined) return 'widened';
  if (b === undefined) return 'narrowed';
  if (b.size === h.size && [...b].every((t) => h.has(t))) return 'same';
  const list = b.size > 1 || h.size > 1;
  if (covers(h, b)) return list ? 'list-widened' : 'widened';
  if (covers(b, h)) return list ? 'list-narrowed' : 'narrowed';
  return 'changed';
}

function formatChange(type: string | undefined, b: unknown, h: unknown): 'same' | 'widened' | 'narrowed' | 'changed' {
  if (same(b, h)) return 'same';
  if (h === undefined) return 'widened';
  if (b === undefined) return 'narrowed';
  const wider = (to: unknown, from: unknown) => type !== undefined && (WIDER_FORMAT[type]?.[String(to)]?.includes(String(from)) ?? false);
  if (wider(h, b)) return 'widened';
  if (wider(b, h)) return 'narrowed';
  return 'changed';
}

/** A value as it appears in a message. */
export function show(value: unknown): string {
  if (value === undefined) return '(none)';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
