/** The parts of a dereferenced OpenAPI 3.0 document that the fuzz tests read (types only). */

/** A JSON Schema (OpenAPI 3.0 dialect) as the differ reads it, after dereferencing. */
export interface Schema {
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  [keyword: string]: unknown;
}

/** A media type entry of a request body or response. */
export interface MediaType {
  schema?: Schema;
}

/** A parameter, path-level or operation-level. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

/** A response of one status. */
export interface Response {
  headers?: Record<string, { required?: boolean; schema?: Schema }>;
  content?: Record<string, MediaType>;
}

/** A security requirement: scheme name → scopes. */
export type SecurityRequirement = Record<string, string[]>;

/** An operation. */
export interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, Response>;
  security?: SecurityRequirement[];
}

/** A path item: operations keyed by method, and path-level parameters. */
export type PathItem = Partial<Record<HttpMethod, Operation>> & { parameters?: Parameter[] };

/** The methods a path item may hold, in the order the report lists them. */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A method of a path item. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The parts of an OpenAPI document the differ reads. */
export interface OpenApiDocument {
  openapi?: string;
  info?: { version?: string; title?: string };
  paths?: Record<string, PathItem>;
  security?: SecurityRequirement[];
}
