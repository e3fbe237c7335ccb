/** Turns the validated `GET /cars` query into a store ListQuery, with cursor and next-page link. */
import { HttpProblem } from '../errors.js';
import type { ListQuery, SortKey, SortField } from '../store/car-store.js';
import type { operations } from '../types.js';
import { decodeCursor, encodeCursor } from './car-cursor.js';
import type { Car } from '../types.js';

type ListParams = NonNullable<operations['listCars']['parameters']['query']>;

/** The page size when `limit` is absent. */
export const DEFAULT_LIMIT = 100;

/** Parses `sort=model,-id` (already checked against the spec's pattern) into keys. */
export function parseSort(sort: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of sort.split(',')) {
    const desc = part.startsWith('-');
    const field = (desc ? part.slice(1) : part) as SortField;
    if (!keys.some((k) => k.field === field)) keys.push({ field, desc });
  }
  return keys;
}

/** The identity of a listing (sort and filters), which a cursor is bound to. */
function queryIdentity(params: ListParams, sort: SortKey[]): string {
  const sortText = sort.map((k) => (k.desc ? '-' : '') + k.field).join(',');
  return JSON.stringify([sortText, params.model?.toLowerCase() ?? null, params.color?.toLowerCase() ?? null, params.q?.toLowerCase() ?? null]);
}

/** The store query for these parameters, and how to build the next page's link; a 400 problem for a bad cursor. */
export function toListQuery(params: ListParams): { query: ListQuery; nextLink(last: Car): string } | HttpProblem<400> {
  const sort = parseSort(params.sort ?? 'id');
  const identity = queryIdentity(params, sort);
  const query: ListQuery = { limit: params.limit ?? DEFAULT_LIMIT, sort };
  if (params.model !== undefined) query.model = params.model;
  if (params.color !== undefined) query.color = params.color;
  if (params.q !== undefined) query.q = params.q;
  if (params.total === true) query.withTotal = true;
  if (params.cursor !== undefined) {
    const after = decodeCursor(params.cursor, identity);
    if (after instanceof HttpProblem) return after;
    query.after = after;
  }

  return {
    query,
    nextLink(last) {
      const next = new URLSearchParams();
      next.set('limit', String(query.limit));
      if (params.sort !== undefined) next.set('sort', params.sort);
      if (params.model !== undefined) next.set('model', params.model);
      if (params.color !== undefined) next.set('color', params.color);
      if (params.q !== undefined) next.set('q', params.q);
      if (params.total === true) next.set('total', 'true');
      next.set('cursor', encodeCursor(identity, last));
      return `</cars?${next.toString()}>; rel="next"`;
    },
  };
}
