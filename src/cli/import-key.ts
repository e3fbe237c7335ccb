/** The Idempotency-Key of an imported row: derived from the row's content, so a re-run replays instead of duplicating. */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so `{model, color}` and `{color, model}` are the same row. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The key for a row: `cars-import-` and the SHA-256 of its canonical JSON, 76 visible ASCII
 * characters, well inside the spec's 1 to 255. The same row always gets the same key, from any
 * file format and any run; the server keeps keys for 24 hours.
 */
export function importKey(body: unknown): string {
  return `cars-import-${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}
