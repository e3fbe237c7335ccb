/**
 * Compares two dereferenced schemas found at the same place of the API. Requests and responses
 * break in opposite directions: a request schema must not reject what it accepted, and a response
 * schema must not produce what it did not promise.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Schema } from './document.js';
import type { Report, RuleId } from './rules.js';

/** Which way the values a schema describes travel. */
export type Direction = 'request' | 'response';

/** Bounds that tighten when they grow (or appear). */
const LOWER_BOUNDS = ['minLength', 'minimum', 'minItems', 'minProperties'] as const;
/** Bounds that tighten when they shrink (or appear). */
const UPPER_BOUNDS = ['maxLength', 'maximum', 'maxItems', 'maxProperties'] as const;
/** Flags that tighten when they turn true (OpenAPI 3.0's boolean exclusive bounds). */
const FLAGS = ['exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems'] as const;
/** Keywords whose every change is taken as tightening: two patterns or formats can't be ordered. */
const OPAQUE = ['pattern', 'format', 'multipleOf'] as const;
/** Keywords this differ does not reason about; any change to them is left to a person. */
const COMBINATORS = ['allOf', 'anyOf', 'oneOf', 'not'] as const;

interface Walk {
  readonly direction: Direction;
  readonly report: Report;
  /** The base schemas being compared further up, so that recursive schemas end. */
  readonly open: Set<Schema>;
}

/** Reports every change between `base` and `head`, a schema at `where` travelling in `direction`. */
export function diffSchema(base: Schema | undefined, head: Schema | undefined, where: string, direction: Direction, report: Report): void {
  walk(base ?? {}, head ?? {}, where, '', { direction, report, open: new Set() });
}

function walk(base: Schema, head: Schema, where: string, pointer: string, ctx: Walk): void {
  if (ctx.open.has(base) || isDeepStrictEqual(base, head)) return;
  ctx.open.add(base);
  const at = pointer === '' ? where : `${where} ${pointer}`;
  const say = (rule: RuleId, message: string) => ctx.report(rule, at, message);

  const combinators = (s: Schema) => COMBINATORS.map((k) => s[k]);
  if (!isDeepStrictEqual(combinators(base), combinators(head))) {
    say('schema-changed-unclassified', 'allOf/anyOf/oneOf/not changed');
  }
  if (diffTypes(base, head, ctx.direction, say)) {
    diffEnum(base, head, ctx.direction, say);
    diffLimits(base, head, ctx.direction, say);
    diffObject(base, head, where, pointer, ctx, say);
    if (base.items !== undefined && head.items !== undefined) walk(base.items, head.items, where, `${pointer}/[]`, ctx);
    else if (base.items !== head.items) say(ctx.direction === 'request' ? itemsRule(base) : 'response-limit-changed', `items ${base.items ? 'schema removed' : 'schema added'}`);
  }
  ctx.open.delete(base);
}

/** Items that gain a schema accept less; items that lose it accept more. */
function itemsRule(base: Schema): RuleId {
  return base.items === undefined ? 'request-limit-tightened' : 'request-limit-loosened';
}

/** The JSON types a schema admits; `undefined` when it admits any. */
function types(schema: Schema): Set<string> | undefined {
  if (schema.type === undefined) return undefined;
  const set = new Set(Array.isArray(schema.type) ? schema.type : [schema.type]);
  if (schema.nullable === true) set.add('null');
  return set;
}

/** Whether every value of the types in `inner` is also a value of the types in `outer`. */
function covers(outer: Set<string> | undefined, inner: Set<string> | undefined): boolean {
  if (outer === undefined) return true;
  if (inner === undefined) return false;
  return [...inner].every((t) => outer.has(t) || (t === 'integer' && outer.has('number')));
}

function showTypes(set: Set<string> | undefined): string {
  return set === undefined ? 'any' : [...set].join('|');
}

/** Reports a type change; answers whether the two schemas still share a type, so that comparing deeper makes sense. */
function diffTypes(base: Schema, head: Schema, direction: Direction, say: (rule: RuleId, message: string) => void): boolean {
  const [b, h] = [types(base), types(head)];
  const message = `type ${showTypes(b)} → ${showTypes(h)}`;
  if (direction === 'request') {
    if (!covers(h, b)) say('request-type-narrowed', message);
    else if (!covers(b, h)) say('request-type-widened', message);
  } else if (!covers(b, h)) say('response-type-changed', message);
  else if (!covers(h, b)) say('response-type-narrowed', message);
  if (b === undefined || h === undefined) return true;
  return [...b].some((t) => h.has(t) || (t === 'integer' && h.has('number')) || (t === 'number' && h.has('integer')));
}

function diffEnum(base: Schema, head: Schema, direction: Direction, say: (rule: RuleId, message: string) => void): void {
  const [b, h] = [base.enum, head.enum];
  if (b === undefined && h === undefined) return;
  const missingFrom = (list: unknown[], values: unknown[]) => values.filter((v) => !list.some((x) => isDeepStrictEqual(x, v)));
  const removed = b === undefined ? undefined : h === undefined ? [] : missingFrom(h, b);
  const added = h === undefined ? undefined : b === undefined ? [] : missingFrom(b, h);
  const show = (values: unknown[] | undefined) => (values === undefined ? 'any value' : JSON.stringify(values));
  const narrowed = b === undefined || (removed !== undefined && removed.length > 0);
  const widened = h === undefined || (added !== undefined && added.length > 0);
  const message = `enum ${show(b)} → ${show(h)}`;
  if (narrowed) say(direction === 'request' ? 'request-enum-narrowed' : 'response-enum-narrowed', removed?.length ? `${message} (removed ${JSON.stringify(removed)})` : message);
  if (widened) say(direction === 'request' ? 'request-enum-widened' : 'response-enum-widened', added?.length ? `${message} (added ${JSON.stringify(added)})` : message);
}

function diffLimits(base: Schema, head: Schema, direction: Direction, say: (rule: RuleId, message: string) => void): void {
  const change = (tightened: boolean, message: string) => {
    if (direction === 'response') say('response-limit-changed', message);
    else say(tightened ? 'request-limit-tightened' : 'request-limit-loosened', message);
  };
  const show = (keyword: string, b: unknown, h: unknown) =>
    b === undefined ? `${keyword} ${JSON.stringify(h)} added` : h === undefined ? `${keyword} ${JSON.stringify(b)} removed` : `${keyword} ${JSON.stringify(b)} → ${JSON.stringify(h)}`;
  const bounds = (keywords: readonly string[], tighterWhen: (b: number, h: number) => boolean) => {
    for (const keyword of keywords) {
      const [b, h] = [base[keyword], head[keyword]];
      if (isDeepStrictEqual(b, h)) continue;
      const tightened = b === undefined || (typeof b === 'number' && typeof h === 'number' && tighterWhen(b, h));
      change(h !== undefined && tightened, show(keyword, b, h));
    }
  };
  bounds(LOWER_BOUNDS, (b, h) => h > b);
  bounds(UPPER_BOUNDS, (b, h) => h < b);
  for (const keyword of FLAGS) {
    const [b, h] = [base[keyword], head[keyword]];
    if (b === h) continue;
    // OpenAPI 3.1 writes exclusive bounds as numbers: order them like the bounds they are.
    if (typeof b === 'number' || typeof h === 'number') {
      const lower = keyword === 'exclusiveMinimum';
      const tightened = b === undefined || (typeof b === 'number' && typeof h === 'number' && (lower ? h > b : h < b));
      change(h !== undefined && tightened, show(keyword, b, h));
    } else change(h === true, show(keyword, b, h));
  }
  for (const keyword of OPAQUE) {
    const [b, h] = [base[keyword], head[keyword]];
    if (!isDeepStrictEqual(b, h)) change(h !== undefined, show(keyword, b, h));
  }
}

function diffObject(base: Schema, head: Schema, where: string, pointer: string, ctx: Walk, say: (rule: RuleId, message: string) => void): void {
  const request = ctx.direction === 'request';
  const [bProps, hProps] = [base.properties ?? {}, head.properties ?? {}];
  const [bRequired, hRequired] = [new Set(base.required ?? []), new Set(head.required ?? [])];
  const names = new Set([...Object.keys(bProps), ...Object.keys(hProps), ...bRequired, ...hRequired]);
  for (const name of names) {
    const [b, h] = [bProps[name], hProps[name]];
    const property = `\`${name}\``;
    if (b !== undefined && h === undefined) {
      say(request ? 'request-property-removed' : 'response-property-removed', `property ${property} removed`);
      continue;
    }
    if (b === undefined && h !== undefined && !bRequired.has(name)) {
      if (request) say(hRequired.has(name) ? 'request-property-required' : 'request-property-added', `${hRequired.has(name) ? 'required' : 'optional'} property ${property} added`);
      else say('response-property-added', `property ${property} added`);
      continue;
    }
    if (b !== undefined && h !== undefined) walk(b, h, where, `${pointer}/${name}`, ctx);
    if (!bRequired.has(name) && hRequired.has(name)) {
      say(request ? 'request-property-required' : 'response-property-required', `property ${property} is now required`);
    } else if (bRequired.has(name) && !hRequired.has(name)) {
      say(request ? 'request-property-optional' : 'response-property-optional', `property ${property} is no longer required`);
    }
  }
  diffAdditionalProperties(base, head, where, pointer, ctx, say);
}

type Extras = 'open' | 'closed' | Schema;

/** `additionalProperties` as one of: any extra allowed, none allowed, or extras of a schema. */
function extras(schema: Schema): Extras {
  const value = schema.additionalProperties;
  if (value === false) return 'closed';
  if (value === undefined || value === true || Object.keys(value).length === 0) return 'open';
  return value;
}

function diffAdditionalProperties(base: Schema, head: Schema, where: string, pointer: string, ctx: Walk, say: (rule: RuleId, message: string) => void): void {
  const [b, h] = [extras(base), extras(head)];
  if (typeof b === 'object' && typeof h === 'object') {
    walk(b, h, where, `${pointer}/*`, ctx);
    return;
  }
  if (b === h) return;
  const show = (e: Extras) => (typeof e === 'object' ? 'a schema' : e === 'open' ? 'true' : 'false');
  const message = `additionalProperties ${show(b)} → ${show(h)}`;
  if (ctx.direction === 'response') say('response-limit-changed', message);
  else if (h === 'closed') say('request-additional-properties-closed', message);
  else if (b === 'closed') say('request-additional-properties-opened', message);
  else say(h === 'open' ? 'request-limit-loosened' : 'request-limit-tightened', message);
}
