/** Reads every stored car through GET /cars, page by page, with each page checked against the spec. */
import assert from 'node:assert/strict';
import { request } from '../../support/server.js';

/** A car as the API returns it. */
export interface ListedCar {
  id: number;
  model: string;
  color: string;
}

const NEXT = /<([^>]+)>;\s*rel="next"/;

/**
 * Every car, following the `Link: rel="next"` cursor; each answer must be a 200 whose body
 * validates against the spec (so every row is a well-formed Car). Bounded by `maxPages`.
 */
export async function listAllCars(baseUrl: string, maxPages = 10_000): Promise<ListedCar[]> {
  const cars: ListedCar[] = [];
  let path: string | undefined = '/cars?limit=1000';
  for (let page = 0; path !== undefined; page++) {
    assert.ok(page < maxPages, `more than ${maxPages} pages of cars`);
    const answer = await request(baseUrl, 'GET', path);
    assert.equal(answer.status, 200, `GET ${path}: ${answer.text}`);
    cars.push(...(answer.json as ListedCar[]));
    const next = NEXT.exec(answer.headers.get('link') ?? '')?.[1];
    const url = next === undefined ? undefined : new URL(next, baseUrl);
    path = url && url.pathname + url.search;
  }
  return cars;
}
