/** Builds the keyset-paged listing SQL that both engines run, so they filter, sort and page alike. */
import type { ListQuery, SortKey } from './car-store.js';
import { caseKey } from './case-key.js';

/** How an engine spells the few things that differ. */
export interface ListDialect {
  /** The n-th bind parameter (1-based), e.g. `?` or `$3`. */
  param(n: number): string;
  /** A condition that holds when `needle` (a parameter) occurs in `column`, with no wildcards. */
  contains(column: string, needle: string): string;
}

/** The statements for one page: the page itself (limit + 1 rows) and, for `withTotal`, the count. */
export interface ListPlan {
  pageSql: string;
  pageParams: (string | number)[];
  countSql: string;
  countParams: (string | number)[];
}

/** The columns a listing returns, in the shape of a `StoredCar`. */
export const CAR_COLUMNS = 'id, model, color, revision';

/** The sort keys up to and including `id`, without repeats; `id` ascending is appended when absent. */
export function effectiveSort(sort: readonly SortKey[]): SortKey[] {
  const keys: SortKey[] = [];
  for (const key of sort) {
    if (keys.some((k) => k.field === key.field)) continue;
    keys.push({ field: key.field, desc: key.desc });
    // id is unique, so keys after it can never decide an order.
    if (key.field === 'id') return keys;
  }
  keys.push({ field: 'id', desc: false });
  return keys;
}

/** Plans the SQL for a page of `query`; the SQL text depends only on the query's shape. */
export function planList(query: ListQuery, dialect: ListDialect): ListPlan {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000) {
    throw new RangeError(`limit must be an integer from 1 to 1000, got ${query.limit}`);
  }
  const params: (string | number)[] = [];
  const bind = (value: string | number): string => {
    params.push(value);
    return dialect.param(params.length);
  };

  const filters: string[] = [];
  if (query.model !== undefined) filters.push(`model_key = ${bind(caseKey(query.model))}`);
  if (query.color !== undefined) filters.push(`color_key = ${bind(caseKey(query.color))}`);
  if (query.q !== undefined && query.q !== '') {
    const needle = caseKey(query.q);
    filters.push(`(${dialect.contains('model_key', bind(needle))} OR ${dialect.contains('color_key', bind(needle))})`);
  }
  const countParams = [...params];
  const countSql = `SELECT count(*) AS total FROM cars${where(filters)}`;

  const sort = effectiveSort(query.sort);
  const after = query.after;
  const conditions = [...filters];
  if (after) {
    // The expanded form (a > ? OR (a = ? AND (b < ? OR ...))) allows mixed directions, which a
    // row comparison (a, b) > (?, ?) cannot express.
    const build = (i: number): string => {
      const key = sort[i];
      if (!key) throw new Error('unreachable: empty sort');
      const value = after[key.field];
      const beyond = `${key.field} ${key.desc ? '<' : '>'} ${bind(value)}`;
      if (i === sort.length - 1) return beyond;
      return `(${beyond} OR (${key.field} = ${bind(value)} AND ${build(i + 1)}))`;
    };
    conditions.push(build(0));
  }
  const orderBy = sort.map((k) => `${k.field} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
  const pageSql = `SELECT ${CAR_COLUMNS} FROM cars${where(conditions)} ORDER BY ${orderBy} LIMIT ${bind(query.limit + 1)}`;
  return { pageSql, pageParams: params, countSql, countParams };
}

function where(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}
