/** The spec compiled once at start-up: routes, and openapi-backend's per-operation validators. */
import { OpenAPIBackend, OpenAPIValidator, type Document } from 'openapi-backend';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { validationFailed } from '../errors.js';
import type { OperationId, ValidationError } from '../types.js';
import { escapePointerToken } from './json-pointer.js';
import { compileRouter, type Router } from './router.js';

/** An operation with everything a request needs, precomputed. */
export interface CompiledOperation {
  readonly operationId: OperationId;
  readonly method: string;
  readonly path: string;
  /** Media types the request body may use; empty when the operation takes no body. */
  readonly bodyTypes: readonly string[];
  /** Compiled on first use, so start-up compiles nothing a request doesn't need yet. */
  readonly validators: readonly ValidateFunction[];
  /** Header parameters: their name in the spec (the handler's key) and in Node's lower case. */
  readonly headerParams: readonly { name: string; key: string }[];
  /** Path and query parameters typed integer; their raw text must be plain digits before coercion. */
  readonly integerParams: readonly { in: 'path' | 'query'; name: string }[];
  /** The security requirement alternatives (scheme names); empty when the operation is public. */
  readonly security: readonly (readonly string[])[];
  /** The scopes the operation needs (`x-required-scopes`). */
  readonly scopes: readonly string[];
}

/** The input openapi-backend's validators check; validation coerces path and query in place. */
export interface RequestParts {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  header: Record<string, unknown>;
  cookie: Record<string, unknown>;
  requestBody?: unknown;
}

/** What openapi-backend holds for each operation: the function that answers it. */
export type OperationHandler = (input: never) => Promise<unknown>;

/** The compiled contract. */
export interface Contract {
  readonly api: OpenAPIBackend;
  readonly operations: readonly CompiledOperation[];
  readonly route: Router<CompiledOperation>;
  /** Validates (and coerces) a request's parts; throws a 400 problem listing every failure. */
  validate(operation: CompiledOperation, parts: RequestParts): void;
  /**
   * Registers one handler per operationId with openapi-backend. In strict mode it refuses a
   * handler under an operationId the spec does not have; an operation left without a handler is
   * refused here. Either way start-up fails with a message naming the operationId.
   */
  register(handlers: Readonly<Record<string, OperationHandler>>): void;
}

/**
 * Formats the spec uses that Ajv doesn't know. `int64` adds nothing beyond the schema's
 * integer bounds, and `uri-reference` only annotates problem types, which the server writes.
 */
const KNOWN_FORMATS = { int64: true, 'uri-reference': true } as const;

/** How the contract is compiled. */
export interface CompileOptions {
  /**
   * Check the document against the OpenAPI 3 schema first (default true). The compiled server
   * skips it: `npm run build` has checked the same file, and the check compiles the whole OpenAPI
   * meta-schema with Ajv, which took 730 ms of the start-up profile.
   */
  checkDocument?: boolean;
}

/** Builds the contract from a parsed spec; openapi-backend checks the document itself first unless told not to. */
export async function compileContract(definition: Document, { checkDocument = true }: CompileOptions = {}): Promise<Contract> {
  const ajvOpts = { allErrors: true, formats: KNOWN_FORMATS };
  // `validate: false` and a validator of our own: openapi-backend would otherwise compile every
  // request, response and response-header validator in init(). The start-up profile put 53 % of the
  // time to the first answer in Ajv, most of it for response validators that production never uses
  // (VALIDATE_RESPONSES is off there); lazily, each is compiled the first time it is needed.
  const api = new OpenAPIBackend({ definition: structuredClone(definition), strict: true, validate: false, ajvOpts });
  // openapi-backend has no option to skip only this check (`quick` also swaps its $ref resolver).
  if (!checkDocument) api.validateDefinition = () => api.document;
  await api.init();
  api.validator = new OpenAPIValidator({ definition: api.definition, router: api.router, ajvOpts, lazyCompileValidators: true });

  // openapi-backend compiles body validators only for application/json (and form types); bodies of
  // other JSON media types, such as application/merge-patch+json, get an equivalent validator here.
  let ajv: Ajv | undefined;
  const operations: CompiledOperation[] = api.router.getOperations().map((op) => {
    if (!op.operationId) throw new Error(`${op.method.toUpperCase()} ${op.path} has no operationId`);
    const operationId = op.operationId;
    const body = op.requestBody as { required?: boolean; content?: Record<string, { schema?: object }> } | undefined;
    const bodyTypes = Object.keys(body?.content ?? {});
    let validators: ValidateFunction[] | undefined;
    const compileValidators = (): ValidateFunction[] => {
      const compiled = [...api.validator.getRequestValidatorsForOperation(operationId)];
      const [onlyType] = bodyTypes;
      if (bodyTypes.length === 1 && onlyType !== undefined && onlyType !== 'application/json') {
        const schema = body?.content?.[onlyType]?.schema ?? {};
        ajv ??= new Ajv({ strict: false, ...ajvOpts });
        compiled.push(
          ajv.compile({
            type: 'object',
            properties: { requestBody: schema },
            required: body?.required ? ['requestBody'] : [],
          }),
        );
      }
      return compiled;
    };
    const parameters = (op.parameters ?? []) as { in: string; name: string; schema?: { type?: string } }[];
    const headerParams = parameters.filter((p) => p.in === 'header').map((p) => ({ name: p.name, key: p.name.toLowerCase() }));
    const integerParams = parameters
      .filter((p) => (p.in === 'path' || p.in === 'query') && p.schema?.type === 'integer')
      .map((p) => ({ in: p.in as 'path' | 'query', name: p.name }));
    // An operation's own `security` replaces the document's; `[]` or `[{}]` means public.
    const requirements = (op.security ?? api.definition.security ?? []) as Record<string, string[]>[];
    const security = requirements.map((r) => Object.keys(r)).filter((schemes) => schemes.length > 0);
    const scopes = ((op as { 'x-required-scopes'?: string[] })['x-required-scopes'] ?? []).slice();
    return {
      operationId: operationId as OperationId,
      method: op.method.toUpperCase(),
      path: op.path,
      bodyTypes,
      headerParams,
      get validators() {
        return (validators ??= compileValidators());
      },
      integerParams,
      security,
      scopes,
    };
  });

  return {
    api,
    operations,
    route: compileRouter(operations),
    register(handlers) {
      api.register(handlers as Record<string, never>);
      const missing = operations.map((op) => op.operationId).filter((id) => typeof api.handlers[id] !== 'function');
      if (missing.length > 0) throw new Error(`No handler registered for operationId ${missing.join(', ')}`);
    },
    validate(operation, parts) {
      let errors: ValidationError[] | undefined;
      // Ajv's coercion would read "1.0" or " 1" as 1; an id or a limit is written in plain digits.
      for (const param of operation.integerParams) {
        const raw = parts[param.in][param.name];
        if (typeof raw === 'string' && !/^-?\d+$/.test(raw)) {
          (errors ??= []).push({ pointer: `/${param.in}/${param.name}`, message: 'must be integer' });
        }
      }
      if (errors) throw validationFailed(errors);
      for (const validator of operation.validators) {
        if (!validator(parts)) (errors ??= []).push(...(validator.errors ?? []).map(toValidationError));
      }
      if (errors) throw validationFailed(errors);
    },
  };
}

/** Turns an Ajv error on the request parts into `{pointer, message}`, pointing into the body or a parameter. */
export function toValidationError(error: ErrorObject): ValidationError {
  let pointer = error.instancePath;
  let message = error.message ?? 'is invalid';
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    pointer += `/${escapePointerToken(params.missingProperty)}`;
    message = 'is required';
  } else if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    pointer += `/${escapePointerToken(params.additionalProperty)}`;
    message = pointer.startsWith('/query/') ? 'is not a known query parameter' : 'is not an allowed property';
  }
  if (pointer === '/requestBody') return { pointer: '', message: message === 'is required' ? 'a request body is required' : message };
  if (pointer.startsWith('/requestBody/')) pointer = pointer.slice('/requestBody'.length);
  return { pointer, message };
}
