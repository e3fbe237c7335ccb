/** Opaque keyset cursors: the last row's sort values, bound to the query that produced them. */
import { createHash } from 'node:crypto';
import { invalidCursor, type HttpProblem } from '../errors.js';
import type { Car } from '../types.js';

const VERSION = 1;

/** What a cursor carries. */
interface CursorPayload {
  v: number;
  /** The query it belongs to: sort and filters, normalised. */
  q: string;
  /** The last car of the page. */
  k: Car;
}

const checksum = (data: string) => createHash('sha256').update(data).digest('base64url').slice(0, 12);

/** Encodes the position after `last` for the query identified by `query`. */
export function encodeCursor(query: string, last: Car): string {
  const data = Buffer.from(JSON.stringify({ v: VERSION, q: query, k: { id: last.id, model: last.model, color: last.color } })).toString('base64url');
  return `${data}.${checksum(data)}`;
}

/** Decodes a cursor; a malformed, tampered or foreign one gives a 400 problem. */
export function decodeCursor(cursor: string, query: string): Car | HttpProblem<400> {
  const [data, sum, extra] = cursor.split('.');
  if (data === undefined || sum === undefined || extra !== undefined || checksum(data) !== sum) {
    return invalidCursor('The cursor is malformed or has been altered; use the one from the Link header.');
  }
  let payload: Partial<CursorPayload>;
  try {
    payload = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as Partial<CursorPayload>;
  } catch {
    return invalidCursor('The cursor is malformed; use the one from the Link header.');
  }
  const k = payload.k;
  if (
    payload.v !== VERSION ||
    typeof k !== 'object' ||
    k === null ||
    !Number.isSafeInteger(k.id) ||
    typeof k.model !== 'string' ||
    typeof k.color !== 'string'
  ) {
    return invalidCursor('The cursor is malformed; use the one from the Link header.');
  }
  if (payload.q !== query) {
    return invalidCursor('The cursor belongs to a query with other sort or filters; keep them unchanged while paging.');
  }
  return { id: k.id, model: k.model, color: k.color };
}
