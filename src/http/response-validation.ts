/** Checks outgoing answers against the spec: loud in development and tests, a log line in production. */
import type { Logger } from 'pino';
import { internalError } from '../errors.js';
import type { CompiledOperation, Contract } from './contract.js';
import { toValidationError } from './contract.js';
import { isRawBody } from './handler-types.js';

/** `fail` answers a violation with a 500 problem; `log` only logs it; `off` skips the check. */
export type ResponseValidationMode = 'off' | 'log' | 'fail';

/** Builds the check for one app; it returns without cost when the mode is `off`. */
export function createResponseValidator(contract: Contract, mode: ResponseValidationMode, logger: Logger) {
  return function checkResponse(operation: CompiledOperation, status: number, body: unknown): void {
    if (mode === 'off' || body === undefined || isRawBody(body)) return;
    const result = contract.api.validateResponse(body, operation.operationId, status);
    if (result.valid) return;
    const errors = (result.errors ?? []).map((e) => toValidationError({ ...e, instancePath: `/requestBody${e.instancePath}` }));
    logger.error(
      { operationId: operation.operationId, status, errors },
      `response to ${operation.operationId} (${status}) does not match the spec at ${errors.map((e) => e.pointer || '/').join(', ')}`,
    );
    if (mode === 'fail') throw internalError(new Error('response does not match the spec'));
  };
}
