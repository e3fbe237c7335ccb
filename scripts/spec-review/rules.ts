/**
 * The rule catalogue of the spec review: every kind of change it reports, each with a stable id,
 * a level and a one-line example. Ids follow oasdiff's checker (github.com/oasdiff/oasdiff,
 * checker/) wherever a rule corresponds, so that a verdict can be compared with its catalogue.
 */

/** error: breaks existing clients; warning: likely breaks, or needs a human; info: safe. */
export type Level = 'error' | 'warning' | 'info';

/** One rule: its default level, what it means and a one-line example. */
export interface Rule {
  readonly id: string;
  readonly level: Level;
  readonly summary: string;
  readonly example: string;
}

/** Where a schema sits: which side of the exchange, and whether it is a body, a nested property, a parameter or a header. */
export type SchemaPrefix = 'request-body' | 'request-property' | 'request-parameter' | 'response-body' | 'response-property' | 'response-header';

const REQUEST_PREFIXES = ['request-body', 'request-property', 'request-parameter'] as const;
const PROPERTY_PREFIXES = ['request-property', 'response-property'] as const;
const RESPONSE_PREFIXES = ['response-body', 'response-property', 'response-header'] as const;

/** The thing a prefix names, for summaries. */
const SUBJECT: Record<SchemaPrefix, string> = {
  'request-body': 'a request body',
  'request-property': 'a request property',
  'request-parameter': 'a request parameter',
  'response-body': 'a response body',
  'response-property': 'a response property',
  'response-header': 'a response header',
};

/**
 * A facet of a schema and its level on each side. Requests break when they accept less, responses
 * when they may return more, so most facets have opposite levels.
 */
interface Facet {
  readonly request: Level;
  readonly response: Level;
  readonly summary: string;
  readonly example: string;
  /** Places the facet has no rule at, because a more precise rule takes its place there. */
  readonly except?: readonly SchemaPrefix[];
}

/** oasdiff's names for the bounds in rule ids (`request-parameter-max-decreased`); other keywords are kebab-cased. */
const BOUND_NAMES: Record<string, string> = { maximum: 'max', minimum: 'min', exclusiveMaximum: 'exclusive-max', exclusiveMinimum: 'exclusive-min' };

/** The name of a bound keyword in rule ids: `maximum` → `max`, `maxLength` → `max-length`. */
export function boundName(keyword: string): string {
  return BOUND_NAMES[keyword] ?? kebab(keyword);
}

const bound = (keyword: string, what: string, tighterWord: 'decreased' | 'increased'): Record<string, Facet> => {
  const looserWord = tighterWord === 'decreased' ? 'increased' : 'decreased';
  const name = boundName(keyword);
  const [tight, loose] = tighterWord === 'decreased' ? ['10 → 5', '5 → 10'] : ['1 → 5', '5 → 1'];
  return {
    [`${name}-${tighterWord}`]: { request: 'error', response: 'info', summary: `\`${keyword}\` (${what}) ${tighterWord}: fewer values pass.`, example: `${keyword} ${tight}` },
    [`${name}-${looserWord}`]: { request: 'info', response: 'error', summary: `\`${keyword}\` (${what}) ${looserWord}: more values pass.`, example: `${keyword} ${loose}` },
    [`${name}-set`]: { request: 'warning', response: 'info', summary: `\`${keyword}\` (${what}) set where there was none.`, example: `(none) → ${keyword} 5` },
    [`${name}-unset`]: { request: 'info', response: 'error', summary: `\`${keyword}\` (${what}) removed.`, example: `${keyword} 5 → (none)` },
  };
};

/** A keyword that restricts values when it appears: adding it narrows, removing it widens. */
const presence = (name: string, what: string, example: string): Record<string, Facet> => ({
  [`${name}-added`]: { request: 'error', response: 'info', summary: `${capitalise(what)} was added: fewer values pass.`, example: `(none) → ${example}` },
  [`${name}-removed`]: { request: 'info', response: 'error', summary: `${capitalise(what)} was removed: more values pass.`, example: `${example} → (none)` },
});

function kebab(keyword: string): string {
  return keyword.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The facets every schema has, keyed by the id's suffix. */
const FACETS: Record<string, Facet> = {
  ...bound('maximum', 'upper bound', 'decreased'),
  ...bound('exclusiveMaximum', 'exclusive upper bound', 'decreased'),
  ...bound('maxLength', 'longest string', 'decreased'),
  ...bound('maxItems', 'longest array', 'decreased'),
  ...bound('maxProperties', 'most properties', 'decreased'),
  ...bound('minimum', 'lower bound', 'increased'),
  ...bound('exclusiveMinimum', 'exclusive lower bound', 'increased'),
  ...bound('minLength', 'shortest string', 'increased'),
  ...bound('minItems', 'shortest array', 'increased'),
  ...bound('minProperties', 'fewest properties', 'increased'),
  'type-changed': { request: 'error', response: 'error', summary: 'The type or format changed to one that does not contain the old one.', example: 'string → integer; int64 → int32 (request)' },
  'type-generalized': { request: 'info', response: 'error', summary: 'The type or format widened: more values possible.', example: 'integer/int32 → integer/int64' },
  'type-specialized': { request: 'error', response: 'info', summary: 'The type or format narrowed: fewer values possible.', example: 'number → integer; date-time → date (response)' },
  'type-compatible': { request: 'info', response: 'info', summary: 'The type changed, but values travel as text (not JSON) and the text type takes every old value.', example: 'application/xml: object → string' },
  'list-of-types-widened': { request: 'info', response: 'error', summary: 'A type was added to the list of types (OpenAPI 3.1).', example: 'type [string] → [string, integer]' },
  'list-of-types-narrowed': { request: 'error', response: 'info', summary: 'A type was removed from the list of types (OpenAPI 3.1).', example: 'type [string, integer] → [string]' },
  'became-nullable': { request: 'info', response: 'error', summary: 'Now admits `null` (`nullable: true`, or `null` in the type list).', example: 'type string → [string, "null"]' },
  'became-not-nullable': { request: 'error', response: 'info', summary: 'No longer admits `null`.', example: 'nullable: true → (none)' },
  'enum-value-added': { request: 'info', response: 'warning', summary: 'An enum value was added (clients may not know it).', example: 'enum [a, b] → [a, b, c]' },
  'enum-value-removed': { request: 'error', response: 'info', summary: 'An enum value was removed.', example: 'enum [a, b, c] → [a, b]' },
  'became-enum': { request: 'error', response: 'info', summary: 'An enum was set where any value passed.', example: '(none) → enum [a, b]' },
  'enum-removed': { request: 'info', response: 'warning', summary: 'The enum was removed: any value may pass.', example: 'enum [a, b] → (none)' },
  'const-added': { request: 'error', response: 'info', summary: '`const` was set (OpenAPI 3.1).', example: '(none) → const: a' },
  'const-removed': { request: 'info', response: 'error', summary: '`const` was removed (OpenAPI 3.1).', example: 'const: a → (none)' },
  'const-changed': { request: 'error', response: 'error', summary: '`const` changed (OpenAPI 3.1).', example: 'const: a → const: b' },
  'pattern-added': { request: 'error', response: 'info', summary: 'A `pattern` was set.', example: '(none) → pattern ^[a-z]+$' },
  'pattern-removed': { request: 'info', response: 'info', summary: 'The `pattern` was removed.', example: 'pattern ^[a-z]+$ → (none)' },
  'pattern-changed': { request: 'warning', response: 'info', summary: 'The `pattern` changed; whether it accepts more or less needs a human.', example: 'pattern ^[a-z]+$ → ^[a-z0-9]+$' },
  'pattern-generalized': { request: 'info', response: 'info', summary: 'The `pattern` changed to `.*`, which takes any string.', example: 'pattern ^[a-z]+$ → .*' },
  'multiple-of-changed': { request: 'warning', response: 'warning', summary: '`multipleOf` changed.', example: 'multipleOf 2 → 3' },
  'unique-items-added': { request: 'error', response: 'info', summary: '`uniqueItems` was turned on.', example: 'uniqueItems false → true' },
  'unique-items-removed': { request: 'info', response: 'error', summary: '`uniqueItems` was turned off.', example: 'uniqueItems true → false' },
  'default-value-added': { request: 'info', response: 'info', summary: 'A `default` was set.', example: '(none) → default 10' },
  'default-value-removed': { request: 'info', response: 'info', summary: 'The `default` was removed.', example: 'default 10 → (none)' },
  'default-value-changed': { request: 'info', response: 'info', summary: 'The `default` changed.', example: 'default 10 → 20' },
  'one-of-added': { request: 'info', response: 'error', summary: 'A `oneOf` branch was added.', example: 'oneOf [Car] → [Car, Truck]' },
  'one-of-removed': { request: 'error', response: 'info', summary: 'A `oneOf` branch was removed.', example: 'oneOf [Car, Truck] → [Car]' },
  'any-of-added': { request: 'info', response: 'info', summary: 'An `anyOf` branch was added (oasdiff rates it info in responses too).', example: 'anyOf [Car] → [Car, Truck]' },
  'any-of-removed': { request: 'error', response: 'info', summary: 'An `anyOf` branch was removed.', example: 'anyOf [Car, Truck] → [Car]' },
  'all-of-added': { request: 'error', response: 'info', summary: 'An `allOf` member was added: values must match one more schema.', example: 'allOf [Base] → [Base, Extra]' },
  'all-of-removed': { request: 'warning', response: 'info', summary: 'An `allOf` member was removed.', example: 'allOf [Base, Extra] → [Base]' },
  'all-of-added-annotation-only': { request: 'info', response: 'info', summary: 'An `allOf` member that only annotates (description, title, example...) was added: no value changes validity.', example: 'allOf [Base] → [Base, {description: A car}]' },
  'all-of-removed-annotation-only': { request: 'info', response: 'info', summary: 'An `allOf` member that only annotated was removed.', example: 'allOf [Base, {description: A car}] → [Base]' },
  'not-added': { request: 'error', response: 'info', summary: 'A `not` was set: some values no longer pass.', example: '(none) → not {type: string}' },
  'not-removed': { request: 'info', response: 'error', summary: 'The `not` was removed: more values pass.', example: 'not {type: string} → (none)' },
  'not-changed': { request: 'warning', response: 'warning', summary: 'The `not` schema changed; needs a human.', example: 'not {type: string} → not {type: integer}' },
  'discriminator-added': { request: 'info', response: 'info', summary: 'A `discriminator` was added.', example: '(none) → discriminator {propertyName: kind}' },
  'discriminator-removed': { request: 'info', response: 'info', summary: 'The `discriminator` was removed.', example: 'discriminator {propertyName: kind} → (none)' },
  'discriminator-property-name-changed': { request: 'info', response: 'info', summary: 'The `discriminator` property name changed.', example: 'propertyName kind → type' },
  'discriminator-mapping-added': { request: 'info', response: 'info', summary: 'A `discriminator` mapping entry was added.', example: 'mapping + truck: Truck' },
  'discriminator-mapping-deleted': { request: 'info', response: 'info', summary: 'A `discriminator` mapping entry was removed.', example: 'mapping − truck' },
  'discriminator-mapping-changed': { request: 'info', response: 'info', summary: 'A `discriminator` mapping entry points elsewhere.', example: 'mapping truck: Truck → Lorry' },
  'additional-properties-narrowed': { request: 'error', response: 'info', summary: 'Fewer extra properties pass (`additionalProperties` set to false or a schema).', example: 'additionalProperties true → false' },
  'additional-properties-widened': { request: 'info', response: 'warning', summary: 'More extra properties pass (`additionalProperties` opened).', example: 'additionalProperties false → true' },
  'items-added': { request: 'error', response: 'info', summary: 'An array gained an `items` schema.', example: 'items (none) → {type: string}' },
  'items-removed': { request: 'info', response: 'error', summary: 'An array lost its `items` schema.', example: 'items {type: string} → (none)' },
  ...bound('minContains', 'fewest items matching contains', 'increased'),
  ...bound('maxContains', 'most items matching contains', 'decreased'),
  ...presence('contains', '`contains` (an item must match)', 'contains: {type: string}'),
  ...presence('if', '`if` (a condition for then/else)', 'if: {required: [kind]}'),
  ...presence('then', '`then`', 'then: {required: [doors]}'),
  ...presence('else', '`else`', 'else: {required: [seats]}'),
  ...presence('dependent-required', 'a `dependentRequired` entry', 'dependentRequired: {card: [cvv]}'),
  'dependent-required-changed': { request: 'error', response: 'error', summary: 'A `dependentRequired` entry changed.', example: 'card: [cvv] → card: [cvv, zip]' },
  ...presence('dependent-schema', 'a `dependentSchemas` entry', 'dependentSchemas: {card: {required: [cvv]}}'),
  ...presence('pattern-property', 'a `patternProperties` pattern', 'patternProperties: {^x-: {type: string}}'),
  ...presence('property-names', '`propertyNames`', 'propertyNames: {pattern: ^[a-z]+$}'),
  ...presence('unevaluated-items', '`unevaluatedItems` (a limit on items no keyword covered)', 'unevaluatedItems: false'),
  ...presence('unevaluated-properties', '`unevaluatedProperties` (a limit on properties no keyword covered)', 'unevaluatedProperties: false'),
  ...presence('content-schema', '`contentSchema` (the schema of encoded content)', 'contentSchema: {type: object}'),
  'prefix-items-added': { request: 'info', response: 'error', summary: 'A `prefixItems` position was added (as oasdiff rates it).', example: 'prefixItems [a] → [a, b]' },
  'prefix-items-removed': { request: 'error', response: 'info', summary: 'A `prefixItems` position was removed (as oasdiff rates it).', example: 'prefixItems [a, b] → [a]' },
  'content-media-type-changed': { request: 'error', response: 'error', summary: '`contentMediaType` changed.', example: 'application/json → text/plain' },
  'content-encoding-changed': { request: 'error', response: 'error', summary: '`contentEncoding` changed.', example: 'base64 → base32' },
  'became-read-only': { request: 'info', response: 'info', summary: 'Became `readOnly` (clients no longer send it).', example: 'readOnly false → true', except: PROPERTY_PREFIXES },
  'became-not-read-only': { request: 'info', response: 'info', summary: 'Is no longer `readOnly`.', example: 'readOnly true → false', except: PROPERTY_PREFIXES },
  'became-write-only': { request: 'info', response: 'info', summary: 'Became `writeOnly` (no longer in responses).', example: 'writeOnly false → true', except: PROPERTY_PREFIXES },
  'became-not-write-only': { request: 'info', response: 'warning', summary: 'Is no longer `writeOnly`: it may appear in responses.', example: 'writeOnly true → false', except: PROPERTY_PREFIXES },
};

const fixed = (id: string, level: Level, summary: string, example: string): Rule => ({ id, level, summary, example });

/** Rules that are not a facet of a schema. */
const FIXED: Rule[] = [
  // Paths and operations.
  fixed('endpoint-added', 'info', 'An operation (or a path with operations) was added.', 'GET /cars/{carId}/photos added'),
  fixed('api-path-removed-without-deprecation', 'error', 'A path was removed while not deprecated.', 'path /cars/{carId} removed'),
  fixed('api-path-removed-with-deprecation', 'info', 'A path whose operations were all deprecated (and past any `x-sunset`) was removed.', 'deprecated path /v1/cars removed'),
  fixed('api-path-removed-before-sunset', 'error', 'A deprecated path was removed before its `x-sunset` date.', 'path /v1/cars (x-sunset 2099-01-01) removed'),
  fixed('api-removed-without-deprecation', 'error', 'An operation was removed while not deprecated.', 'DELETE /cars/{carId} removed'),
  fixed('api-removed-with-deprecation', 'info', 'A deprecated operation (past any `x-sunset`) was removed.', 'deprecated DELETE /cars/{carId} removed'),
  fixed('api-removed-before-sunset', 'error', 'A deprecated operation was removed before its `x-sunset` date.', 'DELETE /cars/{carId} (x-sunset 2099-01-01) removed'),
  fixed('api-path-sunset-parse', 'error', 'A deprecated operation was removed, but its `x-sunset` is not a date.', 'x-sunset: next spring'),
  fixed('api-deprecated-sunset-parse', 'error', 'An operation was deprecated with an `x-sunset` that is not a date.', 'x-sunset: soon'),
  fixed('endpoint-deprecated', 'info', 'An operation was deprecated.', 'GET /cars deprecated: false → true'),
  fixed('endpoint-deprecated-with-sunset', 'info', 'An operation was deprecated with an `x-sunset` date.', 'GET /cars deprecated, x-sunset 2027-01-01'),
  fixed('endpoint-reactivated', 'info', 'An operation is no longer deprecated.', 'GET /cars deprecated: true → false'),
  fixed('api-stability-decreased', 'error', 'An operation\'s `x-stability-level` decreased: clients that relied on its stability lose it.', 'x-stability-level stable → beta'),
  fixed('api-stability-increased', 'info', 'An operation\'s `x-stability-level` increased.', 'x-stability-level beta → stable'),
  fixed('api-invalid-stability-level', 'error', '`x-stability-level` is not draft, alpha, beta or stable.', 'x-stability-level: experimental'),
  fixed('request-property-stability-decreased', 'error', 'A request property\'s `x-stability-level` decreased.', 'x-stability-level stable → alpha'),
  fixed('request-property-stability-increased', 'info', 'A request property\'s `x-stability-level` increased.', 'x-stability-level alpha → stable'),
  fixed('response-property-stability-decreased', 'error', 'A response property\'s `x-stability-level` decreased.', 'x-stability-level stable → alpha'),
  fixed('response-property-stability-increased', 'info', 'A response property\'s `x-stability-level` increased.', 'x-stability-level alpha → stable'),
  fixed('api-sunset-changed', 'info', 'The `x-sunset` date of an operation changed.', 'x-sunset 2027-01-01 → 2027-06-01'),
  fixed('sunset-deleted', 'error', 'The `x-sunset` date was removed from an operation that stays deprecated: clients lose the date they plan by.', 'x-sunset 2027-01-01 → (none), still deprecated'),
  fixed('api-operation-id-removed', 'info', 'An operationId was removed or renamed (generated client functions change name).', 'operationId listCars → getCars'),
  fixed('api-operation-id-added', 'info', 'An operationId was added.', '(none) → operationId listCars'),
  fixed('api-tag-added', 'info', 'A tag was added to an operation.', 'tags [cars] → [cars, admin]'),
  fixed('api-tag-removed', 'info', 'A tag was removed from an operation.', 'tags [cars, admin] → [cars]'),
  // Parameters.
  fixed('new-required-request-parameter', 'error', 'A required parameter was added.', 'query parameter `owner` (required) added'),
  fixed('new-optional-request-parameter', 'info', 'An optional parameter was added.', 'query parameter `color` added'),
  fixed('new-required-request-default-parameter-to-existing-path', 'error', 'A required parameter was added at the path level: every operation of the path now needs it.', '/cars/{carId} parameters + header `X-Tenant` (required)'),
  fixed('new-optional-request-default-parameter-to-existing-path', 'info', 'An optional parameter was added at the path level.', '/cars/{carId} parameters + query `fields`'),
  fixed('request-parameter-removed', 'warning', 'A parameter was removed: clients still send it.', 'query parameter `color` removed'),
  fixed('request-parameter-removed-with-deprecation', 'info', 'A deprecated parameter (past any `x-sunset`) was removed.', 'deprecated query parameter `make` removed'),
  fixed('request-parameter-removed-before-sunset', 'error', 'A deprecated parameter was removed before its `x-sunset` date.', 'query parameter `make` (x-sunset 2099-01-01) removed'),
  fixed('request-parameter-became-required', 'error', 'A parameter became required.', 'query parameter `limit` required: false → true'),
  fixed('request-parameter-became-optional', 'info', 'A parameter became optional.', 'query parameter `limit` required: true → false'),
  fixed('request-parameter-deprecated', 'info', 'A parameter was deprecated.', 'query parameter `make` deprecated'),
  fixed('request-parameter-reactivated', 'info', 'A parameter is no longer deprecated.', 'query parameter `make` deprecated: true → false'),
  fixed('request-parameter-sunset-parse', 'error', 'A parameter was deprecated with an `x-sunset` that is not a date.', 'x-sunset: soon'),
  fixed('request-parameter-sunset-deleted', 'error', 'The `x-sunset` date was removed from a parameter that stays deprecated.', 'x-sunset 2027-01-01 → (none)'),
  fixed('request-parameter-serialization-changed', 'warning', 'How a parameter is serialized changed (`style`, `explode`, `allowReserved`, `content`).', 'style form → spaceDelimited'),
  // Request bodies.
  fixed('request-body-added-required', 'error', 'A required request body was added.', 'POST /cars/{carId}/wash: required body added'),
  fixed('request-body-added-optional', 'info', 'An optional request body was added.', 'POST /cars/{carId}/wash: optional body added'),
  fixed('request-body-wrapped-in-one-of', 'error', 'The request body was wrapped into a `oneOf` of alternatives: a body valid before may now match two of them, and `oneOf` rejects it.', 'CarCreate → oneOf [CarCreate, TruckCreate]'),
  fixed('request-body-removed', 'error', 'The request body was removed.', 'POST /cars: request body removed'),
  fixed('request-body-became-required', 'error', 'The request body became required.', 'required: false → true'),
  fixed('request-body-became-optional', 'info', 'The request body became optional.', 'required: true → false'),
  fixed('request-body-media-type-schema-added', 'error', 'A request media type that took anything now has a schema.', 'application/json: (no schema) → CarCreate'),
  fixed('request-body-media-type-schema-removed', 'info', 'A request media type lost its schema: it takes anything.', 'application/json: CarCreate → (no schema)'),
  fixed('response-body-media-type-schema-added', 'info', 'A response media type that promised nothing now has a schema.', 'application/json: (no schema) → Car'),
  fixed('response-body-media-type-schema-removed', 'warning', 'A response media type lost its schema: clients get no promise.', 'application/json: Car → (no schema)'),
  fixed('request-body-media-type-added', 'info', 'A request media type was added.', 'application/xml added'),
  fixed('request-body-media-type-removed', 'error', 'A request media type was removed.', 'application/xml removed'),
  fixed('request-body-media-type-name-changed', 'info', 'A request media type was renamed to an equivalent one (oasdiff pairs them and reports no finding); its schema is compared as before.', 'application/json → application/json; charset=utf-8'),
  // Properties.
  fixed('new-required-request-property', 'error', 'A required request property was added.', 'request body /owner (required) added'),
  fixed('new-required-request-property-with-default', 'error', 'A required request property with a `default` was added: a request without it is still invalid.', 'request body /owner (required, default "me") added'),
  fixed('new-optional-request-property', 'info', 'An optional request property was added.', 'request body /color added'),
  fixed('request-property-removed', 'warning', 'A request property was removed: clients still send it.', 'request body /color removed'),
  fixed('request-property-removed-with-deprecation', 'info', 'A deprecated request property (past any `x-sunset`) was removed.', 'deprecated request body /make removed'),
  fixed('request-property-removed-before-sunset', 'error', 'A deprecated request property was removed before its `x-sunset` date.', 'request body /make (x-sunset 2099-01-01) removed'),
  fixed('request-property-became-required', 'error', 'A request property became required.', 'request body /color now required'),
  fixed('request-property-became-required-with-default', 'error', 'A request property with a `default` became required: a request without it is now invalid.', 'request body /color (default red) now required'),
  fixed('request-property-became-optional', 'info', 'A request property became optional.', 'request body /color no longer required'),
  fixed('request-property-deprecated', 'info', 'A request property was deprecated.', 'request body /make deprecated'),
  fixed('request-property-deprecated-with-sunset', 'info', 'A request property was deprecated with an `x-sunset` date.', 'request body /make deprecated, x-sunset 2027-01-01'),
  fixed('request-property-deprecated-sunset-invalid', 'error', 'A request property was deprecated with an `x-sunset` that is not a date.', 'x-sunset: soon'),
  fixed('request-property-reactivated', 'info', 'A request property is no longer deprecated.', 'request body /make deprecated: true → false'),
  fixed('request-read-only-property-changed', 'info', 'A `readOnly` property changed inside a request: clients do not send it.', 'request body /id maxLength 10 → 5'),
  fixed('request-read-only-property-enum-value-removed', 'info', 'An enum value was removed from a `readOnly` property (clients do not send it).', 'request body /status enum [a, b] → [a]'),
  fixed('request-read-only-property-max-decreased', 'info', '`maximum` of a `readOnly` property decreased (clients do not send it).', 'request body /id maximum 10 → 5'),
  fixed('request-read-only-property-max-length-decreased', 'info', '`maxLength` of a `readOnly` property decreased (clients do not send it).', 'request body /id maxLength 10 → 5'),
  fixed('request-read-only-property-min-increased', 'info', '`minimum` of a `readOnly` property increased (clients do not send it).', 'request body /id minimum 1 → 5'),
  fixed('request-read-only-property-exclusive-max-decreased', 'info', '`exclusiveMaximum` of a `readOnly` property decreased (clients do not send it).', 'request body /id exclusiveMaximum 10 → 5'),
  fixed('request-read-only-property-exclusive-min-increased', 'info', '`exclusiveMinimum` of a `readOnly` property increased (clients do not send it).', 'request body /id exclusiveMinimum 1 → 5'),
  fixed('response-required-property-removed', 'error', 'A required response property was removed.', 'response 200 /id removed'),
  fixed('response-optional-property-removed', 'warning', 'An optional response property was removed.', 'response 200 /nickname removed'),
  fixed('response-property-removed-with-deprecation', 'info', 'A deprecated response property (past any `x-sunset`) was removed.', 'deprecated response 200 /make removed'),
  fixed('response-property-removed-before-sunset', 'error', 'A deprecated response property was removed before its `x-sunset` date.', 'response 200 /make (x-sunset 2099-01-01) removed'),
  fixed('response-required-property-added', 'info', 'A required response property was added.', 'response 200 /createdAt (required) added'),
  fixed('response-optional-property-added', 'info', 'An optional response property was added.', 'response 200 /nickname added'),
  fixed('response-property-became-optional', 'error', 'A response property is no longer always present.', 'response 200 /model no longer required'),
  fixed('response-property-became-required', 'info', 'A response property is now always present.', 'response 200 /model now required'),
  fixed('response-property-deprecated', 'info', 'A response property was deprecated.', 'response 200 /make deprecated'),
  fixed('response-property-deprecated-with-sunset', 'info', 'A response property was deprecated with an `x-sunset` date.', 'response 200 /make deprecated, x-sunset 2027-01-01'),
  fixed('response-property-deprecated-sunset-invalid', 'error', 'A response property was deprecated with an `x-sunset` that is not a date.', 'x-sunset: soon'),
  fixed('response-property-reactivated', 'info', 'A response property is no longer deprecated.', 'response 200 /make deprecated: true → false'),
  fixed('request-optional-property-became-read-only', 'info', 'An optional request property became `readOnly`: clients no longer send it.', 'readOnly false → true'),
  fixed('request-optional-property-became-not-read-only', 'info', 'An optional request property became not `readOnly`: clients may send it.', 'readOnly true → false'),
  fixed('request-optional-property-became-write-only', 'info', 'An optional request property became `writeOnly`: clients still send it.', 'writeOnly false → true'),
  fixed('request-optional-property-became-not-write-only', 'info', 'An optional request property became not `writeOnly`: clients still send it.', 'writeOnly true → false'),
  fixed('request-required-property-became-read-only', 'info', 'A required request property became `readOnly`: clients no longer send it.', 'readOnly false → true'),
  fixed('request-required-property-became-not-read-only', 'info', 'A required request property became not `readOnly`: clients may send it.', 'readOnly true → false'),
  fixed('request-required-property-became-write-only', 'info', 'A required request property became `writeOnly`: clients still send it.', 'writeOnly false → true'),
  fixed('request-required-property-became-not-write-only', 'info', 'A required request property became not `writeOnly`: clients still send it.', 'writeOnly true → false'),
  fixed('response-optional-property-became-read-only', 'info', 'An optional response property became `readOnly`: servers still send it.', 'readOnly false → true'),
  fixed('response-optional-property-became-not-read-only', 'info', 'An optional response property became not `readOnly`: servers still send it.', 'readOnly true → false'),
  fixed('response-optional-property-became-write-only', 'info', 'An optional response property became `writeOnly`: servers no longer send it.', 'writeOnly false → true'),
  fixed('response-optional-property-became-not-write-only', 'info', 'An optional response property became not `writeOnly`: it may now appear in responses.', 'writeOnly true → false'),
  fixed('response-required-property-became-read-only', 'info', 'A required response property became `readOnly`: servers still send it.', 'readOnly false → true'),
  fixed('response-required-property-became-not-read-only', 'info', 'A required response property became not `readOnly`: servers still send it.', 'readOnly true → false'),
  fixed('response-required-property-became-write-only', 'info', 'A required response property became `writeOnly`: servers no longer send it.', 'writeOnly false → true'),
  fixed('response-required-property-became-not-write-only', 'warning', 'A required response property became not `writeOnly`: it may now appear in responses.', 'writeOnly true → false'),
  fixed('response-write-only-property-changed', 'info', 'A `writeOnly` property changed inside a response: servers do not send it.', 'response 200 /password removed'),
  fixed('response-optional-write-only-property-added', 'info', 'An optional `writeOnly` property was added to a response (servers do not send it).', 'response 200 /password added'),
  fixed('response-required-write-only-property-added', 'info', 'A required `writeOnly` property was added to a response (servers do not send it).', 'response 200 /password (required) added'),
  fixed('response-optional-write-only-property-removed', 'info', 'An optional `writeOnly` property was removed from a response.', 'response 200 /password removed'),
  fixed('response-required-write-only-property-removed', 'info', 'A required `writeOnly` property was removed from a response.', 'response 200 /password (required) removed'),
  fixed('response-write-only-property-became-optional', 'info', 'A `writeOnly` response property became optional.', 'response 200 /password no longer required'),
  fixed('response-write-only-property-became-required', 'info', 'A `writeOnly` response property became required.', 'response 200 /password now required'),
  fixed('response-write-only-property-enum-value-added', 'info', 'An enum value was added to a `writeOnly` response property.', 'response 200 /mode enum [a] → [a, b]'),
  // Responses.
  fixed('response-success-status-removed', 'error', 'A 2xx response was removed.', 'GET /cars response 200 removed'),
  fixed('response-non-success-status-removed', 'info', 'A non-2xx response (such as 4xx, 5xx or default) was removed from the documentation.', 'GET /cars response 429 removed'),
  fixed('response-success-status-added', 'info', 'A 2xx response was added.', 'POST /cars response 202 added'),
  fixed('response-non-success-status-added', 'info', 'A non-2xx response was added.', 'GET /cars response 503 added'),
  fixed('response-body-wrapped-in-one-of', 'error', 'The response body was wrapped into a `oneOf` of alternatives: clients may get an alternative they do not know.', 'Car → oneOf [Car, Truck]'),
  fixed('response-media-type-added', 'info', 'A response media type was added.', 'response 200 text/csv added'),
  fixed('response-media-type-removed', 'error', 'A response media type was removed.', 'response 200 text/csv removed'),
  fixed('response-media-type-name-changed', 'info', 'A response media type changed only its parameters; its schema is compared as before.', 'application/json → application/json; charset=utf-8'),
  fixed('response-media-type-name-specialized', 'info', 'A response media type became a specialisation of itself: what clients parse stays valid.', 'application/json → application/problem+json'),
  fixed('response-media-type-name-generalized', 'error', 'A response media type became a more general one (or another of its kind): clients may get what they do not parse.', 'application/problem+json → application/json'),
  fixed('response-header-added', 'info', 'A response header was added.', 'response 200 header `ETag` added'),
  fixed('required-response-header-removed', 'error', 'A required response header was removed.', 'response 201 header `Location` (required) removed'),
  fixed('optional-response-header-removed', 'warning', 'An optional response header was removed.', 'response 200 header `ETag` removed'),
  fixed('response-header-became-optional', 'error', 'A response header is no longer always sent.', 'header `Location` required: true → false'),
  fixed('response-header-became-required', 'info', 'A response header is now always sent.', 'header `ETag` required: false → true'),
  // Security.
  fixed('api-security-added', 'info', 'An OR alternative was added to the security requirements: callers may use it.', 'security [apiKey] → [apiKey] or [oauth]'),
  fixed('api-security-removed', 'error', 'A security alternative was removed: callers that used it are refused (oasdiff rates this info; issue 16 asks for error).', 'security [apiKey] or [oauth] → [apiKey]'),
  fixed('api-security-requirement-added', 'error', 'Authentication is now needed where anonymous calls were allowed, or a scheme was added to an alternative.', 'security (none) → [apiKey]'),
  fixed('api-security-scope-added', 'error', 'An alternative now needs one more OAuth scope.', 'oauth [cars:read] → [cars:read, cars:write]'),
  fixed('api-security-scope-removed', 'info', 'An alternative needs one scope fewer.', 'oauth [cars:read, cars:write] → [cars:read]'),
  fixed('api-global-security-added', 'info', 'An OR alternative was added to the document-wide security.', 'security [apiKey] → [apiKey] or [oauth]'),
  fixed('api-global-security-removed', 'error', 'A document-wide security alternative was removed.', 'security [apiKey] or [oauth] → [apiKey]'),
  fixed('api-global-security-requirement-added', 'error', 'The document-wide security now needs authentication, or one more scheme.', 'security (none) → [apiKey]'),
  fixed('api-global-security-scope-added', 'error', 'A document-wide alternative now needs one more scope.', 'oauth [read] → [read, write]'),
  fixed('api-global-security-scope-removed', 'info', 'A document-wide alternative needs one scope fewer.', 'oauth [read, write] → [read]'),
  fixed('api-security-component-added', 'info', 'A security scheme was added to components.', 'securitySchemes.oauth added'),
  fixed('api-security-component-removed', 'info', 'A security scheme was removed from components.', 'securitySchemes.basic removed'),
  fixed('api-security-component-type-changed', 'info', 'A security scheme changed type (oasdiff rates this info: the requirements that use it are judged on their own).', 'apiKey → http'),
  fixed('api-security-component-api-key-name-changed', 'error', 'An API key is read under another name: clients send the old one.', 'name X-API-Key → X-Api-Token'),
  fixed('api-security-component-api-key-in-changed', 'error', 'An API key is read from another place.', 'in header → query'),
  fixed('api-security-component-scheme-changed', 'error', 'An HTTP security scheme changed (such as basic → bearer).', 'scheme basic → bearer'),
  fixed('api-security-component-bearer-format-changed', 'info', 'The documented bearer token format changed.', 'bearerFormat JWT → opaque'),
  fixed('api-security-component-oauth-url-changed', 'info', 'An OAuth authorization URL changed.', 'authorizationUrl …/auth → …/authorize'),
  fixed('api-security-component-oauth-token-url-changed', 'info', 'An OAuth token URL changed.', 'tokenUrl …/token → …/oauth/token'),
  fixed('api-security-component-oauth-scope-added', 'info', 'An OAuth scope was added to a scheme.', 'scopes + cars:admin'),
  fixed('api-security-component-oauth-scope-removed', 'info', 'An OAuth scope was removed from a scheme.', 'scopes − cars:admin'),
  fixed('api-security-component-oauth-scope-changed', 'info', 'The description of an OAuth scope changed.', 'scopes cars:read: "Read" → "Read cars"'),
  fixed('api-security-component-changed', 'warning', 'Another part of a security scheme changed (flows, openIdConnectUrl, ...); review by hand.', 'openIdConnectUrl changed'),
  // Components, webhooks, the rest.
  fixed('api-schema-removed', 'info', 'A schema was removed from components.', 'components.schemas.LegacyCar removed'),
  fixed('api-schema-changed-unused', 'info', 'A schema in components changed where no operation uses it on both sides (unused, or only where it was added or removed).', 'components.schemas.LegacyCar: maxLength 10 → 20'),
  fixed('api-schema-added', 'info', 'A schema was added to components.', 'components.schemas.Truck added'),
  fixed('webhook-added', 'info', 'A webhook was added (OpenAPI 3.1).', 'webhooks.carSold added'),
  fixed('webhook-removed', 'error', 'A webhook was removed (OpenAPI 3.1): subscribers stop getting it.', 'webhooks.carSold removed'),
  fixed('api-version-changed', 'info', '`info.version` changed.', 'info.version 1.2.0 → 2.0.0'),
  fixed('documentation-changed', 'info', 'Documentation changed (description, summary, title, examples, externalDocs, info, tags).', 'description of GET /cars changed'),
  fixed('servers-changed', 'info', 'The `servers` of the document, a path or an operation changed: deployment, not the contract (oasdiff has no rule for servers).', 'servers + https://eu.api.example.com'),
  fixed('openapi-version-changed', 'info', 'The `openapi` version of the document changed; its changes are compared as usual.', 'openapi 3.0.3 → 3.1.0'),
  fixed('request-parameter-x-extensible-enum-value-removed', 'error', 'A value was removed from a request parameter\'s `x-extensible-enum`.', 'x-extensible-enum [a, b] → [a]'),
  fixed('request-property-x-extensible-enum-value-removed', 'error', 'A value was removed from a request property\'s `x-extensible-enum`.', 'x-extensible-enum [a, b] → [a]'),
  fixed('extension-changed', 'info', 'A specification extension (`x-…`) changed.', 'x-rate-limit 100 → 50'),
  fixed('equivalent-change', 'info', 'The text changed but not the contract (such as a reordered `anyOf` or `required` list).', 'anyOf [A, B] → [B, A]'),
  fixed('external-ref-unreadable', 'warning', 'A file that a `$ref` names could not be read (missing, or a URL): what it holds is not reviewed.', '$ref: ./schemas/car.yaml (no such file)'),
  fixed('unclassified-change', 'warning', 'A change this review cannot classify: review by hand.', 'callbacks of POST /cars changed'),
  fixed('lint-problem-added', 'warning', 'The change brings a new lint problem (Redocly, the repo\'s redocly.yaml).', 'operation-4xx-response: Operation must have at least one 4XX response'),
];

/** Family ids that oasdiff spells another way. */
const ALIASES: Record<string, string> = {
  'response-body-enum-value-removed': 'response-mediatype-enum-value-removed',
};

function familyRules(): Rule[] {
  const rules: Rule[] = [];
  for (const [suffix, facet] of Object.entries(FACETS)) {
    for (const prefix of [...REQUEST_PREFIXES, ...RESPONSE_PREFIXES]) {
      if (facet.except?.includes(prefix)) continue;
      const request = (REQUEST_PREFIXES as readonly string[]).includes(prefix);
      // Defaults of a parameter are filled in by the server, and clients rely on them (oasdiff: error).
      const level = prefix === 'request-parameter' && suffix.startsWith('default-value-') ? 'error' : request ? facet.request : facet.response;
      const id = `${prefix}-${suffix}`;
      rules.push({ id: ALIASES[id] ?? id, level, summary: `${capitalise(SUBJECT[prefix])}: ${lowerFirst(facet.summary)}`, example: facet.example });
    }
  }
  return rules;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lowerFirst(text: string): string {
  return text.startsWith('`') ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

/** Every rule, keyed by id. */
export const RULES: ReadonlyMap<string, Rule> = new Map([...FIXED, ...familyRules()].map((r) => [r.id, r]));

/** The rule with this id; throws on an unknown id, which is a bug in the differ. */
export function rule(id: string): Rule {
  const found = RULES.get(id);
  if (found === undefined) throw new Error(`spec-review: unknown rule id ${id}`);
  return found;
}

/** The id of a schema facet's rule at `prefix`, such as `response-property-max-length-increased`. */
export function facetRule(prefix: SchemaPrefix, suffix: string): string {
  const id = `${prefix}-${suffix}`;
  return rule(ALIASES[id] ?? id).id;
}
