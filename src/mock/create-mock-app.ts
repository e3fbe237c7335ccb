/** The mock server: the real app shell, answering every operation from the spec's examples. */
import type { Document } from 'openapi-backend';
import type { Logger } from 'pino';
import { createApp, type CarsApp } from '../app.js';

/** What the mock is built from. */
export interface MockAppOptions {
  /** The parsed spec; read from `spec/` when omitted. */
  spec?: Document;
  logger?: Logger;
  /** The largest request body, in bytes (default 1 MiB, as the real server). */
  bodyLimit?: number;
}

/**
 * Builds the mock with the server's own `createApp`, so it routes, validates, limits, logs and
 * renders problems exactly as the server does; valid requests get the example answer.
 */
export function createMockApp(options: MockAppOptions = {}): Promise<CarsApp> {
  return createApp({ ...options, answerFrom: 'examples' });
}
