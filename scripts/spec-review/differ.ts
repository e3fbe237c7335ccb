/** The state of one comparison: both documents, and the findings collected so far, merged by rule and place. */
import { isDeepStrictEqual } from 'node:util';
import { unescape, type SpecDocument } from './document.js';
import { rule } from './rules.js';

/** Which document a finding points into: the head one, or the base one for removals. */
export type Side = 'base' | 'head';

/** A finding before severity overrides and waivers. */
export interface RawFinding {
  readonly rule: string;
  readonly message: string;
  readonly side: Side;
  /** JSON pointer into the `side` document. */
  readonly ptr: string;
  /** A human name of the place, such as `POST /cars request body (application/json) /model`. */
  readonly where: string;
  /** The operations the change affects, such as `POST /cars`; several when a shared schema changed. */
  readonly operations: Set<string>;
}

/** Collects findings; the same rule at the same place with the same message is one finding. */
export class Differ {
  readonly #byKey = new Map<string, RawFinding>();
  /** Memoised schema comparisons, keyed by place and pointers: shared schemas are compared once. */
  readonly schemaMemo = new Map<string, RawFinding[]>();
  readonly inProgress = new Set<string>();
  /** The schemas compared on both sides, by pointer: a component changed outside them affects no operation. */
  readonly compared = new Set<string>();
  /** Operations marked draft or alpha (`x-stability-level`): oasdiff does not hold them to its breaking-change rules. */
  readonly unstable = new Set<string>();

  constructor(
    readonly base: SpecDocument,
    readonly head: SpecDocument,
    /** Today as YYYY-MM-DD, to tell whether an `x-sunset` date has passed. */
    readonly today: string,
  ) {}

  /**
   * Records a finding (or returns the one already recorded for the same rule, place and message).
   * `ptr` is the exact node (for the line), `wherePtr` the node that names the place.
   */
  emit(ruleId: string, side: Side, ptr: string, where: string, message: string, operations: Iterable<string> = [], wherePtr = ptr): RawFinding {
    rule(ruleId);
    const key = `${ruleId}\u0000${side}\u0000${ptr}\u0000${message}`;
    let finding = this.#byKey.get(key);
    if (finding === undefined) {
      finding = { rule: ruleId, message, side, ptr, where: componentWhere(wherePtr) ?? where, operations: new Set() };
      this.#byKey.set(key, finding);
    }
    for (const op of operations) finding.operations.add(op);
    return finding;
  }

  /** Every finding, in the order first found. */
  findings(): RawFinding[] {
    return [...this.#byKey.values()];
  }

  /** The document of a side. */
  doc(side: Side): SpecDocument {
    return side === 'base' ? this.base : this.head;
  }

  /** Whether a deprecated node's `x-sunset` (if any) has passed, so removing it is allowed; `invalid` when it is no date. */
  sunset(node: Record<string, unknown>): 'passed' | 'future' | 'invalid' {
    const raw = node['x-sunset'];
    if (raw === undefined) return 'passed';
    const text = raw instanceof Date ? raw.toISOString().slice(0, 10) : String(raw);
    // oasdiff reads a date (2027-01-31) or an RFC 3339 date-time.
    if (!/^\d{4}-\d{2}-\d{2}([Tt ].*)?$/.test(text) || Number.isNaN(Date.parse(text.slice(0, 10)))) return 'invalid';
    return text.slice(0, 10) <= this.today ? 'passed' : 'future';
  }

  /** Whether a deprecated node's `x-sunset` (if any) has passed; an invalid date has not. */
  sunsetPassed(node: Record<string, unknown>): boolean {
    return this.sunset(node) === 'passed';
  }
}

/** Deep equality of two parsed values. */
export function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

const SINGULAR: Record<string, string> = {
  schemas: 'schema',
  parameters: 'parameter',
  responses: 'response',
  requestBodies: 'request body',
  headers: 'header',
  securitySchemes: 'security scheme',
  pathItems: 'path item',
};

/**
 * The name of a place inside `components`, such as ``schema `Car` /owner/name``: a change there is
 * one finding for every operation that uses it, so it is named by the component, not by one use.
 */
export function componentWhere(ptr: string): string | undefined {
  const segments = ptr.split('/').slice(1).map(unescape);
  if (segments[0] !== 'components' || segments.length < 3) return undefined;
  const [, kind = '', name = ''] = segments;
  return `${SINGULAR[kind] ?? kind} \`${name}\`${schemaPath(segments.slice(3))}`;
}

/** A readable path inside a schema: `properties/a/items/properties/b` → ` /a/[]/b`. */
export function schemaPath(segments: readonly string[]): string {
  let path = '';
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] ?? '';
    const next = segments[i + 1];
    if ((s === 'properties' || s === 'patternProperties') && next !== undefined) {
      path += `/${next}`;
      i++;
    } else if (s === 'items') path += '/[]';
    else if (s === 'additionalProperties') path += '/{additionalProperties}';
    else if (['allOf', 'anyOf', 'oneOf', 'prefixItems'].includes(s) && next !== undefined) {
      path += `/${s}[${next}]`;
      i++;
    } else if (s === 'content' && next !== undefined) {
      path += ` (${next})`;
      i++;
    } else if (s !== 'schema') path += `/${s}`;
  }
  return path === '' ? '' : path.startsWith(' ') ? path : ` ${path}`;
}
