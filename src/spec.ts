/** Loads the contract, `spec/cars.openapi.yaml`, the single source of truth. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Document } from 'openapi-backend';

/**
 * Where the spec lives in the repository: beside `src/`, or two levels above the compiled server
 * (`dist/server/main.js`, built by `npm run build`), which reads the same file.
 */
export const SPEC_PATH = new URL(import.meta.url.endsWith('.ts') ? '../spec/cars.openapi.yaml' : '../../spec/cars.openapi.yaml', import.meta.url);

/** Reads the spec's text, exactly as written. */
export function loadSpecText(path: URL | string = SPEC_PATH): string {
  return readFileSync(path, 'utf8');
}

/** Reads and parses the spec; call it once at start-up and share the result. */
export function loadSpec(path: URL | string = SPEC_PATH): Document {
  return parse(loadSpecText(path)) as Document;
}
