/** Handlers that answer every operation from the spec's examples (the mock): its lowest documented 2xx status. */
import type { OpenAPIBackend } from 'openapi-backend';
import type { OperationHandler } from '../http/contract.js';
import type { RawBody } from '../http/handler-types.js';

/** A canned answer, ready to send. */
export interface MockAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The media type and text of the body; absent when the status has no content (204). */
  readonly content?: { readonly type: string; readonly text: string };
}

interface ResponseObject {
  content?: Record<string, unknown>;
  headers?: Record<string, { example?: unknown }>;
}

/**
 * Headers whose examples would mislead a client: the example `Link` names a next page, so a client
 * that walks pages would ask for it again and again; `X-Total-Count` is only sent on request.
 */
const LEFT_OUT_HEADERS = new Set(['link', 'x-total-count']);

const isJson = (mediaType: string) => /^application\/(.+\+)?json$/i.test(mediaType.split(';')[0]?.trim() ?? '');

/** Builds the answer for an operation with openapi-backend's mock support, from the initialised (dereferenced) spec. */
export function mockAnswerFor(api: OpenAPIBackend, operationId: string): MockAnswer {
  const responses = (api.getOperation(operationId)?.responses ?? {}) as Record<string, ResponseObject>;
  const success = Object.keys(responses)
    .filter((code) => /^2\d\d$/.test(code))
    .sort()[0];
  if (success === undefined) throw new Error(`${operationId} documents no 2xx answer to mock`);
  const response = responses[success] ?? {};
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (header.example !== undefined && !LEFT_OUT_HEADERS.has(name.toLowerCase())) headers[name] = String(header.example);
  }
  const mediaTypes = Object.keys(response.content ?? {});
  const mediaType = mediaTypes.find(isJson) ?? mediaTypes[0];
  if (mediaType === undefined) return { status: Number(success), headers };
  const { status, mock } = api.mockResponseForOperation(operationId, { code: Number(success), mediaType });
  // JSON success bodies are application/json without a charset, as the real server sends them (RFC 8259).
  if (isJson(mediaType)) return { status, headers, content: { type: mediaType, text: JSON.stringify(mock) } };
  return { status, headers, content: { type: mediaType, text: typeof mock === 'string' ? mock : JSON.stringify(mock) } };
}

/** One handler per operation of the spec, each giving that operation's example answer. */
export function createExampleHandlers(api: OpenAPIBackend): Record<string, OperationHandler> {
  const handlers: Record<string, OperationHandler> = {};
  for (const { operationId } of api.router.getOperations()) {
    if (operationId === undefined) continue;
    const { status, headers, content } = mockAnswerFor(api, operationId);
    // Sent as it is, with the example's media type: the text is already what the spec shows.
    const body: RawBody | undefined = content && { raw: content.text, contentType: content.type };
    handlers[operationId] = async () => ({ status, headers, body });
  }
  return handlers;
}
