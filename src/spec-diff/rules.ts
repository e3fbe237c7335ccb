/** The kinds of spec change that spec:diff reports, each classified once as breaking or not. */

/** Every rule, with whether it breaks existing clients and what it means. */
export const RULES = {
  // Breaking: a client written against the base spec may fail against the head spec.
  'path-removed': { breaking: true, summary: 'A path was removed.' },
  'operation-removed': { breaking: true, summary: 'An operation was removed.' },
  'response-removed': { breaking: true, summary: 'A documented response status was removed.' },
  'media-type-removed': { breaking: true, summary: 'A request or response media type was removed.' },
  'parameter-removed': { breaking: true, summary: 'A parameter was removed (clients still send it).' },
  'parameter-required': { breaking: true, summary: 'A parameter is newly required.' },
  'request-body-required': { breaking: true, summary: 'The request body is newly required.' },
  'request-property-required': { breaking: true, summary: 'A request property is newly required.' },
  'request-property-removed': { breaking: true, summary: 'A request property was removed (clients still send it).' },
  'request-type-narrowed': { breaking: true, summary: 'A request value accepts fewer types.' },
  'request-enum-narrowed': { breaking: true, summary: 'A request value accepts fewer enum values.' },
  'request-limit-tightened': {
    breaking: true,
    summary: 'A request limit was tightened (minLength, maxLength, minimum, maximum, pattern, items, format, ...).',
  },
  'request-additional-properties-closed': { breaking: true, summary: 'A request object no longer accepts extra properties.' },
  'response-property-removed': { breaking: true, summary: 'A response property was removed.' },
  'response-property-optional': { breaking: true, summary: 'A response property is no longer always present.' },
  'response-type-changed': { breaking: true, summary: 'A response value was retyped.' },
  'response-enum-widened': { breaking: true, summary: 'A response value may take enum values clients do not know.' },
  'response-header-removed': { breaking: true, summary: 'A response header was removed.' },
  'security-changed': { breaking: true, summary: 'The security requirement of an operation changed.' },
  'schema-changed-unclassified': {
    breaking: true,
    summary: 'A schema with allOf, anyOf, oneOf or not changed; review it by hand.',
  },

  // Non-breaking: every client written against the base spec keeps working.
  'path-added': { breaking: false, summary: 'A path was added.' },
  'operation-added': { breaking: false, summary: 'An operation was added.' },
  'response-added': { breaking: false, summary: 'A response status was documented.' },
  'media-type-added': { breaking: false, summary: 'A request or response media type was added.' },
  'parameter-added': { breaking: false, summary: 'An optional parameter was added.' },
  'parameter-optional': { breaking: false, summary: 'A parameter is no longer required.' },
  'request-body-optional': { breaking: false, summary: 'The request body is no longer required.' },
  'request-property-added': { breaking: false, summary: 'An optional request property was added.' },
  'request-property-optional': { breaking: false, summary: 'A request property is no longer required.' },
  'request-type-widened': { breaking: false, summary: 'A request value accepts more types.' },
  'request-enum-widened': { breaking: false, summary: 'A request value accepts more enum values.' },
  'request-limit-loosened': { breaking: false, summary: 'A request limit was loosened.' },
  'request-additional-properties-opened': { breaking: false, summary: 'A request object now accepts extra properties.' },
  'response-property-added': { breaking: false, summary: 'A response property was added.' },
  'response-property-required': { breaking: false, summary: 'A response property is now always present.' },
  'response-type-narrowed': { breaking: false, summary: 'A response value takes fewer types.' },
  'response-enum-narrowed': { breaking: false, summary: 'A response value takes fewer enum values.' },
  'response-limit-changed': { breaking: false, summary: 'A limit on a response value changed.' },
  'response-header-added': { breaking: false, summary: 'A response header was added.' },
} as const satisfies Record<string, { breaking: boolean; summary: string }>;

/** The id of a rule, such as `operation-removed`. */
export type RuleId = keyof typeof RULES;

/** One classified change between the base and the head spec. */
export interface Change {
  readonly rule: RuleId;
  readonly breaking: boolean;
  /** Where the change is, such as `POST /cars request body (application/json) /model`. */
  readonly where: string;
  /** What changed, with the old and new values where there are any. */
  readonly message: string;
}

/** Receives changes as the differ finds them. */
export type Report = (rule: RuleId, where: string, message: string) => void;

/** A report that collects changes into `changes`, classified by the rule catalogue. */
export function collectChanges(): { changes: Change[]; report: Report } {
  const changes: Change[] = [];
  return {
    changes,
    report: (rule, where, message) => changes.push({ rule, breaking: RULES[rule].breaking, where, message }),
  };
}
