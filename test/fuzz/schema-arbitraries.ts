/**
 * fast-check arbitraries derived from the spec's JSON schemas (OpenAPI 3.0 dialect): values a
 * schema accepts and values it rejects, as JSON or as the text of a path, query or header
 * parameter. Every generated value is checked with Ajv against the same schema, so a generator
 * that is only roughly right can never mislabel a value.
 */
import fc from 'fast-check';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Schema } from './openapi-types.js';

/** How a value travels: as JSON in a body, or as the text of a parameter. */
export type Wire = 'json' | 'path' | 'query' | 'header';

/** Valid and invalid values for schemas, with the validators they are checked by. */
export interface SchemaArbitraries {
  /** Values `schema` accepts: JSON values, or strings for parameters. */
  valid(schema: Schema, wire: Wire): fc.Arbitrary<unknown>;
  /** Values `schema` rejects, or undefined when it rejects nothing that can be sent. */
  invalid(schema: Schema, wire: Wire): fc.Arbitrary<unknown> | undefined;
  /** Whether the server, reading `value` from `wire`, sees a value `schema` accepts. */
  accepts(schema: Schema, wire: Wire, value: unknown): boolean;
}

/** Values of every JSON type, and the edges of the usual ranges. */
const ODD_JSON = [null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 53), '', 'x', ' ', [], [1], {}, { a: 1 }];
/** Texts that are not plain numbers, or are numbers at or past the usual limits. */
const ODD_TEXT = ['', ' ', 'abc', '1.5', '1.0', '-1', '0', '-0', '+1', '1e3', '0x1', ' 1', '1 ', 'true', 'null', '%', '9007199254740992', '99999999999999999999'];
/** Characters that break most patterns: controls, quotes, separators, non-ASCII. */
const ODD_CHARS = ['\u0000', '\u0001', '\n', '\t', '\u001f', '\u007f', ' ', '"', "'", '\\', '/', '.', ',', '-', '*', 'é', '\u{1f697}', '\u200b'];

/** Builds the arbitraries; Ajv and its compiled validators live in this closure. */
export function schemaArbitraries(): SchemaArbitraries {
  // The server's options for the formats the spec uses (src/http/contract.ts): both are annotations.
  const ajv = new Ajv({ strict: false, allErrors: false, formats: { int64: true, 'uri-reference': true } });
  const validators = new WeakMap<Schema, ValidateFunction>();
  const validate = (schema: Schema, value: unknown): boolean => {
    let fn = validators.get(schema);
    if (fn === undefined) {
      fn = ajv.compile(schema);
      validators.set(schema, fn);
    }
    return fn(value);
  };

  const oneUnit = (unit: 'grapheme-ascii' | 'binary') => fc.string({ unit, minLength: 1, maxLength: 1 });
  // Mostly readable ASCII, with any code point now and then; header values must be visible ASCII.
  const jsonUnit = fc.oneof({ weight: 5, arbitrary: oneUnit('grapheme-ascii') }, { weight: 1, arbitrary: oneUnit('binary') });
  const unitFor = (wire: Wire) => (wire === 'header' ? oneUnit('grapheme-ascii') : jsonUnit);

  function accepts(schema: Schema, wire: Wire, value: unknown): boolean {
    if (wire === 'json') return validate(schema, JSON.parse(JSON.stringify(value ?? null)));
    if (typeof value !== 'string' || !sendable(wire, value)) return false;
    const decoded = decodeText(schema, wire === 'header' ? value.trim() : value);
    return decoded !== undefined && validate(schema, decoded.value);
  }

  function valid(schema: Schema, wire: Wire): fc.Arbitrary<unknown> {
    const json = validJson(schema, unitFor(wire), 0);
    const values = wire === 'json' ? json : json.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).map((t) => (wire === 'header' ? t.trim() : t));
    const ok = (v: unknown) => accepts(schema, wire, v);
    if (acceptanceRate(values, ok) === 0) throw new Error(`cannot generate valid ${wire} values for ${JSON.stringify(schema)}`);
    return values.filter(ok);
  }

  function validJson(schema: Schema, unit: fc.Arbitrary<string>, depth: number): fc.Arbitrary<unknown> {
    let arb: fc.Arbitrary<unknown>;
    if (schema.enum !== undefined) arb = fc.constantFrom(...schema.enum);
    else {
      switch (typeOf(schema)) {
        case 'integer':
          arb = integers(schema);
          break;
        case 'number':
          arb = fc.oneof(integers(schema), fc.double({ ...numberRange(schema), noNaN: true, noDefaultInfinity: true }));
          break;
        case 'boolean':
          arb = fc.boolean();
          break;
        case 'string':
          arb = strings(schema, unit);
          break;
        case 'array': {
          const minLength = num(schema.minItems) ?? 0;
          arb = fc.array(validJson(schema.items ?? {}, unit, depth + 1), { minLength, maxLength: Math.min(num(schema.maxItems) ?? minLength + 4, minLength + 4) });
          break;
        }
        case 'object':
          arb = objects(schema, unit, depth);
          break;
        default:
          arb = fc.jsonValue({ maxDepth: 2 });
      }
    }
    return schema.nullable === true ? fc.option(arb, { nil: null, freq: 5 }) : arb;
  }

  function objects(schema: Schema, unit: fc.Arbitrary<string>, depth: number): fc.Arbitrary<unknown> {
    const properties = schema.properties ?? {};
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, property] of Object.entries(properties)) model[name] = validJson(property, unit, depth + 1);
    for (const name of schema.required ?? []) model[name] ??= fc.jsonValue({ maxDepth: 1 });
    return fc.record(model, { requiredKeys: [...(schema.required ?? [])] });
  }

  function strings(schema: Schema, unit: fc.Arbitrary<string>): fc.Arbitrary<string> {
    const minLength = num(schema.minLength) ?? 0;
    const maxLength = num(schema.maxLength);
    const plain = fc.string({ unit, minLength, maxLength: Math.min(maxLength ?? minLength + 32, minLength + 32) });
    // Values exactly at the limit, where off-by-one errors live.
    const candidates =
      maxLength !== undefined && maxLength > minLength + 32 && maxLength <= 4096
        ? fc.oneof({ weight: 4, arbitrary: plain }, { weight: 1, arbitrary: fc.string({ unit, minLength: maxLength, maxLength }) })
        : plain;
    if (typeof schema.pattern !== 'string') return candidates;
    const re = new RegExp(schema.pattern, 'u');
    const lengthOk = (s: string) => [...s].length >= minLength && (maxLength === undefined || [...s].length <= maxLength);
    // Filtering random strings works for loose patterns; strict ones are generated from the regex.
    if (acceptanceRate(candidates, (s) => re.test(s)) >= 0.2) return candidates.filter((s) => re.test(s));
    const matching = fc.stringMatching(re);
    if (acceptanceRate(matching, lengthOk) >= 0.2) return matching.filter(lengthOk);
    throw new Error(`cannot generate strings of length ${minLength}..${maxLength} matching ${schema.pattern}`);
  }

  function invalid(schema: Schema, wire: Wire): fc.Arbitrary<unknown> | undefined {
    if (wire === 'json') {
      const isInvalid = (v: unknown) => !accepts(schema, 'json', v);
      const candidates = fc.oneof(...invalidJson(schema, jsonUnit));
      return acceptanceRate(candidates, isInvalid) > 0 ? candidates.filter(isInvalid) : undefined;
    }
    const texts: fc.Arbitrary<string>[] = [fc.constantFrom(...ODD_TEXT)];
    texts.push(valid(schema, wire).map((v) => `${String(v)}x`));
    const scalars = invalidJson(schema, unitFor(wire)).map((arb) =>
      arb.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map((v) => String(v)),
    );
    const isInvalid = (t: string) => sendable(wire, t) && !accepts(schema, wire, t);
    const candidates = fc.oneof(...texts, ...scalars).map((t) => (wire === 'header' ? t.trim() : t));
    // A filter that never passes would spin forever: offer only what a sample shows can be made.
    return acceptanceRate(candidates, isInvalid) > 0 ? candidates.filter(isInvalid) : undefined;
  }

  /** Candidate arbitraries for values that break one constraint of `schema`; the caller filters out any that still pass. */
  function invalidJson(schema: Schema, unit: fc.Arbitrary<string>): fc.Arbitrary<unknown>[] {
    const candidates: fc.Arbitrary<unknown>[] = [fc.constantFrom(...ODD_JSON)];
    const validValues = validJson(schema, unit, 0);
    const type = typeOf(schema);
    if (type === 'integer' || type === 'number') {
      const { min, max } = numberRange(schema);
      if (num(schema.minimum) !== undefined) candidates.push(fc.nat(1000).map((d) => min - 1 - d));
      if (num(schema.maximum) !== undefined) candidates.push(fc.nat(1000).map((d) => max + 1 + d));
      if (type === 'integer') candidates.push(validValues.map((v) => Number(v) + 0.5));
    }
    if (type === 'string') {
      const minLength = num(schema.minLength) ?? 0;
      const maxLength = num(schema.maxLength);
      if (maxLength !== undefined) candidates.push(fc.string({ unit, minLength: maxLength + 1, maxLength: maxLength + 8 }));
      if (minLength > 0) candidates.push(fc.string({ unit, maxLength: minLength - 1 }));
      if (schema.pattern !== undefined || schema.enum !== undefined) {
        candidates.push(
          fc.tuple(validValues, fc.constantFrom(...ODD_CHARS), fc.nat()).map(([v, c, at]) => {
            // By code point, so that a surrogate pair is never split into two unsendable halves.
            const chars = [...String(v)];
            chars.splice(at % (chars.length + 1), 0, c);
            return chars.join('');
          }),
        );
      }
    }
    if (type === 'array') {
      const maxItems = num(schema.maxItems);
      if (maxItems !== undefined) candidates.push(fc.array(validJson(schema.items ?? {}, unit, 1), { minLength: maxItems + 1, maxLength: maxItems + 3 }));
      const badItems = schema.items ? invalidJson(schema.items, unit) : [];
      if (badItems.length > 0) candidates.push(fc.tuple(validValues, fc.oneof(...badItems)).map(([a, bad]) => [...(a as unknown[]), bad]));
    }
    if (type === 'object') {
      for (const name of schema.required ?? []) {
        candidates.push(validValues.map((o) => Object.fromEntries(Object.entries(o as object).filter(([k]) => k !== name))));
      }
      if (schema.additionalProperties === false) {
        const known = new Set(Object.keys(schema.properties ?? {}));
        const extraName = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.has(k) && k !== '__proto__');
        candidates.push(fc.tuple(validValues, extraName, fc.jsonValue({ maxDepth: 1 })).map(([o, k, v]) => ({ ...(o as object), [k]: v })));
      }
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        candidates.push(fc.tuple(validValues, fc.oneof(...invalidJson(property, unit))).map(([o, v]) => ({ ...(o as object), [name]: v })));
      }
    }
    return candidates;
  }

  return { valid, invalid, accepts };
}

/** Whether a parameter value can be sent as it is: a path segment that URL parsing leaves alone, or a visible-ASCII header value. */
function sendable(wire: Wire, text: string): boolean {
  // "" would drop the segment, and "." or ".." (even percent-encoded) are removed by URL parsing.
  if (wire === 'path') return text !== '' && !/^\.{1,2}$/.test(text);
  // HTTP drops the whitespace around a field value, and an empty value is no value at all (RFC 9110 §5.5, §5.6.1).
  if (wire === 'header') return /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(text);
  return true;
}

/** The value the server reads from a parameter's text, or undefined when the text is not of the schema's type. */
function decodeText(schema: Schema, text: string): { value: unknown } | undefined {
  switch (typeOf(schema)) {
    case 'integer':
      // The contract wants plain digits for integers (src/http/contract.ts), not all that Number() reads.
      return /^-?\d+$/.test(text) ? { value: Number(text) } : undefined;
    case 'number':
      return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? { value: Number(text) } : undefined;
    case 'boolean':
      return text === 'true' ? { value: true } : text === 'false' ? { value: false } : undefined;
    default:
      return { value: text };
  }
}

function typeOf(schema: Schema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function numberRange(schema: Schema): { min: number; max: number } {
  const exclusive = (flag: unknown) => (flag === true ? 1 : 0);
  return {
    min: (num(schema.minimum) ?? -Number.MAX_SAFE_INTEGER) + exclusive(schema.exclusiveMinimum),
    max: (num(schema.maximum) ?? Number.MAX_SAFE_INTEGER) - exclusive(schema.exclusiveMaximum),
  };
}

/** Integers in the schema's range; beyond 32 bits fast-check needs bigint. */
function integers(schema: Schema): fc.Arbitrary<number> {
  const { min, max } = numberRange(schema);
  const [lo, hi] = [Math.ceil(min), Math.floor(max)];
  if (lo >= -(2 ** 31) && hi < 2 ** 31) return fc.integer({ min: lo, max: hi });
  return fc.bigInt({ min: BigInt(lo), max: BigInt(hi) }).map(Number);
}

/** The share of a fixed sample of `arb` that passes `predicate`; a fixed seed keeps runs reproducible. */
function acceptanceRate<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => boolean, numRuns = 100): number {
  const sample = fc.sample(arb, { numRuns, seed: 20240601 });
  return sample.filter(predicate).length / sample.length;
}
