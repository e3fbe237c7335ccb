/** The typed client: openapi-fetch over the generated `paths`, plus what callers need to page and patch. */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from '../../generated/cars.js';
import { answerChecks, CarsApiError } from './client-errors.js';

type Car = components['schemas']['Car'];
type CarPatch = components['schemas']['CarPatch'];
/** The query of `GET /cars`, without the cursor, which the iterator manages. */
export type ListCarsQuery = Omit<NonNullable<operations['listCars']['parameters']['query']>, 'cursor'>;

/** Options for `createCarsClient`. */
export interface CarsClientOptions {
  /** The server's base URL, e.g. `http://localhost:8080`. */
  baseUrl: string;
  /** A fetch implementation (tests and other runtimes inject their own). */
  fetch?: ClientOptions['fetch'];
  /** Headers sent with every request (e.g. `X-API-Key`). */
  headers?: Record<string, string>;
}

/** The client: every operation typed from the spec, plus paging and merge-patch helpers. */
export type CarsClient = Client<paths> & {
  /** Walks every page of `GET /cars` by following `Link: rel="next"`, yielding each car once. */
  listAll(query?: ListCarsQuery, options?: { pageLimit?: number }): AsyncGenerator<Car, void, undefined>;
  /** `PATCH /cars/{carId}` with `application/merge-patch+json`, optionally conditional on an ETag. */
  patchCar(
    carId: number,
    patch: CarPatch,
    options?: { ifMatch?: string },
  ): ReturnType<Client<paths>['PATCH']>;
};

/** The `cursor` of a `Link` header's rel="next" target, if any (RFC 8288). */
export function nextCursor(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!match || !/\brel="?next"?/.test(match[2] ?? '')) continue;
    return new URL(match[1] ?? '', 'http://base.invalid').searchParams.get('cursor') ?? undefined;
  }
  return undefined;
}

/** Builds a client for a Cars API server. */
export function createCarsClient({ baseUrl, fetch, headers }: CarsClientOptions): CarsClient {
  const options: ClientOptions = { baseUrl };
  if (fetch) options.fetch = fetch;
  if (headers) options.headers = headers;
  const client = createClient<paths>(options);
  client.use(answerChecks);

  async function* listAll(query: ListCarsQuery = {}, { pageLimit = 1_000_000 }: { pageLimit?: number } = {}) {
    let cursor: string | undefined;
    for (let page = 0; page < pageLimit; page++) {
      const { data, error, response } = await client.GET('/cars', {
        params: { query: cursor === undefined ? query : { ...query, cursor } },
      });
      if (error || !data) throw new CarsApiError(response.status, error);
      yield* data;
      cursor = nextCursor(response.headers.get('Link'));
      if (cursor === undefined) return;
    }
  }

  const patchCar: CarsClient['patchCar'] = (carId, patch, { ifMatch } = {}) =>
    client.PATCH('/cars/{carId}', {
      params: { path: { carId } },
      body: patch,
      headers: { 'Content-Type': 'application/merge-patch+json', ...(ifMatch ? { 'If-Match': ifMatch } : {}) },
    });

  return Object.assign(client, { listAll, patchCar });
}
