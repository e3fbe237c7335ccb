/** The spec compiled once at start-up: routes, and openapi-backend's per-operation validators. */
import { OpenAPIBackend, type Document } from 'openapi-backend';
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
  readonly validators: readonly ValidateFunction[];
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

/** The compiled contract. */
export interface Contract {
  readonly api: OpenAPIBackend;
  readonly operations: readonly CompiledOperation[];
  readonly route: Router<CompiledOperation>;
  /** Validates (and coerces) a request's parts; throws a 400 problem listing every failure. */
  validate(operation: CompiledOperation, parts: RequestParts): void;
}

/**
 * Formats the spec uses that Ajv doesn't know. `int64` adds nothing beyond the schema's
 * integer bounds, and `uri-reference` only annotates problem types, which the server writes.
 */
const KNOWN_FORMATS = { int64: true, 'uri-reference': true } as const;

/** Builds the contract from a parsed spec. openapi-backend checks the document itself first. */
export async function compileContract(definition: Document): Promise<Contract> {
  const api = new OpenAPIBackend({
    definition: structuredClone(definition),
    strict: true,
    validate: true,
    ajvOpts: { allErrors: true, formats: KNOWN_FORMATS },
  });
  await api.init();

  // openapi-backend compiles body validators only for application/json (and form types); bodies of
  // other JSON media types, such as application/merge-patch+json, get an equivalent validator here.
  const ajv = new Ajv({ strict: false, allErrors: true, formats: KNOWN_FORMATS });
  const operations: CompiledOperation[] = api.router.getOperations().map((op) => {
    if (!op.operationId) throw new Error(`${op.method.toUpperCase()} ${op.path} has no operationId`);
    const body = op.requestBody as { required?: boolean; content?: Record<string, { schema?: object }> } | undefined;
    const bodyTypes = Object.keys(body?.content ?? {});
    const validators = [...api.validator.getRequestValidatorsForOperation(op.operationId)];
    const [onlyType] = bodyTypes;
    if (bodyTypes.length === 1 && onlyType !== undefined && onlyType !== 'application/json') {
      const schema = body?.content?.[onlyType]?.schema ?? {};
      validators.push(
        ajv.compile({
          type: 'object',
          properties: { requestBody: schema },
          required: body?.required ? ['requestBody'] : [],
        }),
      );
    }
    const integerParams = ((op.parameters ?? []) as { in: string; name: string; schema?: { type?: string } }[])
      .filter((p) => (p.in === 'path' || p.in === 'query') && p.schema?.type === 'integer')
      .map((p) => ({ in: p.in as 'path' | 'query', name: p.name }));
    // An operation's own `security` replaces the document's; `[]` or `[{}]` means public.
    const requirements = (op.security ?? api.definition.security ?? []) as Record<string, string[]>[];
    const security = requirements.map((r) => Object.keys(r)).filter((schemes) => schemes.length > 0);
    const scopes = ((op as { 'x-required-scopes'?: string[] })['x-required-scopes'] ?? []).slice();
    return {
      operationId: op.operationId as OperationId,
      method: op.method.toUpperCase(),
      path: op.path,
      bodyTypes,
      validators,
      integerParams,
      security,
      scopes,
    };
  });

  return {
    api,
    operations,
    route: compileRouter(operations),
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
