/** The operations of the spec that take input, read from the spec itself (dereferenced) for the fuzz tests. */
import { dereference } from '@apidevtools/json-schema-ref-parser';
import type { OpenApiDocument, Schema } from './openapi-types.js';
import { loadSpec } from '../../src/spec.js';

/** One parameter of an operation. */
export interface FuzzParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: Schema;
}

/** An operation with everything a request to it is built from. */
export interface FuzzOperation {
  readonly operationId: string;
  readonly method: string;
  /** The path template, such as `/cars/{carId}`. */
  readonly path: string;
  readonly parameters: readonly FuzzParameter[];
  /** The request body's media type and schema, when the operation takes one. */
  readonly body?: { readonly mediaType: string; readonly required: boolean; readonly schema: Schema };
  /** The documented statuses. */
  readonly statuses: readonly string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation of the spec (`loadSpec()`), with local `$ref`s resolved. */
export async function specOperations(): Promise<FuzzOperation[]> {
  const doc = (await dereference(loadSpec() as object, { resolve: { external: false } })) as OpenApiDocument;
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (op?.operationId === undefined) continue;
      const byKey = new Map<string, FuzzParameter>();
      for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        if (p.in === 'cookie') continue;
        byKey.set(`${p.in}:${p.name.toLowerCase()}`, { name: p.name, in: p.in, required: p.required === true, schema: p.schema ?? {} });
      }
      const [mediaType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        parameters: [...byKey.values()],
        ...(mediaType !== undefined ? { body: { mediaType, required: op.requestBody?.required === true, schema: media?.schema ?? {} } } : {}),
        statuses: Object.keys(op.responses ?? {}),
      });
    }
  }
  return operations;
}

/** The operations a fuzzer can vary: those with parameters or a body. */
export function takesInput(op: FuzzOperation): boolean {
  return op.parameters.length > 0 || op.body !== undefined;
}

/** The operation with this id; throws when the spec has none. */
export function operation(operations: readonly FuzzOperation[], operationId: string): FuzzOperation {
  const found = operations.find((op) => op.operationId === operationId);
  if (found === undefined) throw new Error(`the spec has no operation ${operationId}`);
  return found;
}
