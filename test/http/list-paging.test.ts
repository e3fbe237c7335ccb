/** GET /cars over HTTP: limit, keyset paging through Link: rel="next", filters, sort and X-Total-Count. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createCarsClient } from '../../src/client/index.js';
import type { Car } from '../../src/types.js';
import { useServer, type Answer, type TestServer } from '../support/server.js';

// Mixed case, accents, '%' and '_' (which must not act as wildcards), and letters whose UTF-8
// byte order differs from JavaScript's UTF-16 order (fullwidth U+FF26 vs the astral 😀).
const MODELS = ['Honda', 'honda', 'HONDA Civic', 'Ford', 'BMW', 'Škoda', 'škoda', 'Ωmega', 'Ｆull', '😀car', '100%_Electric', 'a_b', 'Zed'];
const COLORS = ['Red', 'red', 'Blue', 'black', 'Grün', 'GRÜN', 'Émeraude', '50%', 'Blue_Green', '白'];
const SEEDED = 2500;

/** The seeded cars: ids spread over 1..10007 and not in insertion order, so id order is a real check. */
function seedCars(count: number): Car[] {
  const cars: Car[] = [];
  for (let i = 1; i <= count; i++) {
    cars.push({
      id: ((i * 7919) % 10007) + 1,
      model: MODELS[i % MODELS.length] ?? 'x',
      color: COLORS[Math.floor(i / MODELS.length) % COLORS.length] ?? 'x',
    });
  }
  return cars;
}

async function seed(server: TestServer, cars: readonly Car[]): Promise<void> {
  for (const car of cars) {
    const outcome = await server.store.insert(car);
    assert.equal(outcome.status, 'created', `seeding car ${car.id}`);
  }
}

/** The sort keys of a `sort` parameter, first occurrence wins, with `id` ascending appended as the tie-breaker. */
function sortKeys(sort: string): { field: 'id' | 'model' | 'color'; desc: boolean }[] {
  const keys: { field: 'id' | 'model' | 'color'; desc: boolean }[] = [];
  for (const part of sort.split(',')) {
    const desc = part.startsWith('-');
    const field = (desc ? part.slice(1) : part) as 'id' | 'model' | 'color';
    if (!keys.some((k) => k.field === field)) keys.push({ field, desc });
  }
  if (!keys.some((k) => k.field === 'id')) keys.push({ field: 'id', desc: false });
  return keys;
}

/** The contract's order: strings by their UTF-8 bytes, id as the last key. */
function comparator(sort: string): (a: Car, b: Car) => number {
  const keys = sortKeys(sort);
  return (a, b) => {
    for (const { field, desc } of keys) {
      const c = field === 'id' ? a.id - b.id : Buffer.compare(Buffer.from(a[field]), Buffer.from(b[field]));
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  };
}

/** What the server should answer, computed in JS: filters compare after toLowerCase(), q is a plain substring. */
function expected(cars: readonly Car[], query: { model?: string; color?: string; q?: string; sort?: string }): Car[] {
  const model = query.model?.toLowerCase();
  const color = query.color?.toLowerCase();
  const q = query.q?.toLowerCase();
  return cars
    .filter((c) => model === undefined || c.model.toLowerCase() === model)
    .filter((c) => color === undefined || c.color.toLowerCase() === color)
    .filter((c) => q === undefined || c.model.toLowerCase().includes(q) || c.color.toLowerCase().includes(q))
    .sort(comparator(query.sort ?? 'id'));
}

/** The target of `Link: <...>; rel="next"` (RFC 8288), or undefined on the last page. */
function nextLink(answer: Answer): string | undefined {
  const link = answer.headers.get('link');
  if (link === null) return undefined;
  const match = /^<(\/cars\?[^>]*)>; rel="next"$/.exec(link);
  assert.ok(match?.[1], `Link header has the documented shape: ${link}`);
  return match[1];
}

const cursorOf = (path: string): string => {
  const cursor = new URL(path, 'http://x').searchParams.get('cursor');
  assert.ok(cursor, `the next link carries a cursor: ${path}`);
  return cursor;
};

/**
 * Follows rel="next" from `firstPath` to the last page; bounded, so a paging bug fails instead
 * of looping. `during` runs concurrently with each page request.
 */
async function walk(
  server: TestServer,
  firstPath: string,
  { maxPages = 1000, during }: { maxPages?: number; during?: (page: number) => Promise<unknown> } = {},
): Promise<{ cars: Car[]; pages: Answer[] }> {
  const cars: Car[] = [];
  const pages: Answer[] = [];
  let path: string | undefined = firstPath;
  for (let page = 0; page < maxPages && path !== undefined; page++) {
    const [answer]: [Answer, unknown] = await Promise.all([server.request('GET', path), during?.(page)]);
    assert.equal(answer.status, 200, `${path}: ${answer.text}`);
    pages.push(answer);
    cars.push(...(answer.json as Car[]));
    path = nextLink(answer);
    if (path !== undefined) {
      const limit = Number(new URL(path, 'http://x').searchParams.get('limit'));
      assert.equal((answer.json as Car[]).length, limit, 'a page followed by another is full');
    }
  }
  assert.equal(path, undefined, `still more pages after ${maxPages}`);
  return { cars, pages };
}

const ids = (cars: readonly Car[]) => cars.map((c) => c.id);

/** Asserts that every id appears at most once. */
function assertNoDuplicates(cars: readonly Car[]): void {
  const seen = new Set<number>();
  for (const car of cars) {
    assert.ok(!seen.has(car.id), `car ${car.id} appears twice`);
    seen.add(car.id);
  }
}

/** Asserts that the walk came back in the sort order, page boundaries included. */
function assertSorted(cars: readonly Car[], sort: string): void {
  const compare = comparator(sort);
  for (let i = 1; i < cars.length; i++) {
    assert.ok(compare(cars[i - 1] as Car, cars[i] as Car) < 0, `out of order at ${i}: ${JSON.stringify(cars[i - 1])} then ${JSON.stringify(cars[i])}`);
  }
}

describe('GET /cars', () => {
  const all = seedCars(SEEDED);
  const server = useServer({}, (s) => seed(s, all));

  describe('limit', () => {
    it('answers 100 cars by id with a next link when limit is absent', async () => {
      const res = await server.request('GET', '/cars');
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, expected(all, {}).slice(0, 100));
      const next = nextLink(res);
      assert.ok(next, 'a next page is announced');
      assert.equal(new URL(next, 'http://x').searchParams.get('limit'), '100');
    });

    it('accepts the bounds 1 and 1000', async () => {
      const one = await server.request('GET', '/cars?limit=1');
      assert.equal(one.status, 200);
      assert.deepEqual(one.json, expected(all, {}).slice(0, 1));
      const most = await server.request('GET', '/cars?limit=1000');
      assert.equal(most.status, 200);
      assert.deepEqual(most.json, expected(all, {}).slice(0, 1000));
    });

    it('answers 400 problem for a limit out of range or not an integer', async () => {
      for (const limit of ['0', '1001', 'abc', '-1', '1.5', '1e2', '', '99999999999999999999']) {
        const res = await server.request('GET', `/cars?limit=${limit}`);
        assert.equal(res.status, 400, `limit=${limit}`);
        assert.ok(
          (res.json.errors as { pointer: string }[]).some((e) => e.pointer === '/query/limit'),
          `limit=${limit}: ${res.text}`,
        );
      }
    });
  });

  describe('paging', () => {
    it(`walks all ${SEEDED} cars in pages of 100, each exactly once, by following Link`, async () => {
      const { cars, pages } = await walk(server, '/cars?limit=100');
      assert.equal(pages.length, SEEDED / 100);
      assert.deepEqual(ids(cars), ids(expected(all, {})));
    });

    it('walks every car exactly once in a string sort with a remainder page', async () => {
      const { cars, pages } = await walk(server, '/cars?limit=300&sort=-model,color');
      assert.equal(pages.length, Math.ceil(SEEDED / 300));
      assert.equal(pages.at(-1)?.json.length, SEEDED % 300);
      assert.deepEqual(cars, expected(all, { sort: '-model,color' }));
    });

    it('walks every car exactly once through the typed client listAll', async () => {
      const client = createCarsClient({ baseUrl: server.url });
      const cars: Car[] = [];
      for await (const car of client.listAll({ limit: 100, sort: 'color,-id' })) {
        cars.push(car);
        assert.ok(cars.length <= SEEDED, 'listAll stops after the last car');
      }
      assert.deepEqual(cars, expected(all, { sort: 'color,-id' }));
    });

    it('continues after the cursor when the limit changes between pages', async () => {
      const first = await server.request('GET', '/cars?limit=10&sort=model');
      const cursor = cursorOf(nextLink(first) ?? '');
      const res = await server.request('GET', `/cars?limit=5&sort=model&cursor=${encodeURIComponent(cursor)}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, expected(all, { sort: 'model' }).slice(10, 15));
    });

    it('sends no Link on the last page, also when the last page is exactly full', async () => {
      const matches = expected(all, { model: 'BMW' });
      assert.ok(matches.length > 2, 'the seed has several BMWs');
      const exact = await server.request('GET', `/cars?model=BMW&limit=${matches.length}`);
      assert.equal(exact.json.length, matches.length);
      assert.equal(exact.headers.get('link'), null);

      const { pages } = await walk(server, `/cars?model=BMW&limit=${matches.length - 1}`);
      assert.equal(pages.length, 2);
      assert.deepEqual(pages[1]?.json, matches.slice(-1));
      assert.equal(pages[1]?.headers.get('link'), null);

      const none = await server.request('GET', '/cars?model=Trabant');
      assert.deepEqual(none.json, []);
      assert.equal(none.headers.get('link'), null);
    });
  });

  describe('cursor', () => {
    let cursor: string;
    before(async () => {
      const first = await server.request('GET', '/cars?limit=10&sort=model&color=red');
      cursor = cursorOf(nextLink(first) ?? '');
    });

    const assertBadCursor = (res: Answer, what: string) => {
      assert.equal(res.status, 400, `${what}: ${res.text}`);
      assert.ok(
        (res.json.errors as { pointer: string }[]).some((e) => e.pointer === '/query/cursor'),
        `${what}: the problem points at the cursor: ${res.text}`,
      );
    };

    it('accepts its own cursor with the same sort and filters', async () => {
      const res = await server.request('GET', `/cars?limit=10&sort=model&color=red&cursor=${encodeURIComponent(cursor)}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, expected(all, { sort: 'model', color: 'red' }).slice(10, 20));
    });

    it('answers 400 problem for a cursor with one character flipped, anywhere', async () => {
      // Every position, so the payload, the separator and the checksum are all covered.
      for (let i = 0; i < cursor.length; i++) {
        const flipped = cursor.slice(0, i) + (cursor[i] === 'A' ? 'B' : 'A') + cursor.slice(i + 1);
        const res = await server.request('GET', `/cars?limit=10&sort=model&color=red&cursor=${encodeURIComponent(flipped)}`);
        assertBadCursor(res, `flipped at ${i}`);
      }
    });

    it('answers 400 problem for garbage cursors', async () => {
      const garbage = ['garbage', 'a.b', '.', '..', 'a.b.c', `${cursor}.x`, cursor.split('.')[0] ?? '', '%00', '{}', 'x'.repeat(2048)];
      for (const value of garbage) {
        const res = await server.request('GET', `/cars?sort=model&color=red&cursor=${encodeURIComponent(value)}`);
        assertBadCursor(res, `cursor=${value.slice(0, 40)}`);
      }
    });

    it('answers 400 problem for a cursor reused with another sort or filter', async () => {
      const others = ['sort=-model&color=red', 'sort=model,id&color=blue', 'sort=color&color=red', 'color=red', 'sort=model', 'sort=model&color=red&model=Honda', 'sort=model&color=red&q=o'];
      for (const query of others) {
        const res = await server.request('GET', `/cars?limit=10&${query}&cursor=${encodeURIComponent(cursor)}`);
        assertBadCursor(res, query);
      }
    });
  });

  describe('filters and sort', () => {
    const cases: { query: Record<string, string>; limit: number }[] = [
      { query: { model: 'HONDA' }, limit: 17 },
      { query: { model: 'ŠKODA', sort: '-id' }, limit: 23 },
      { query: { color: 'grün' }, limit: 19 },
      { query: { color: 'RED', model: 'honda' }, limit: 3 },
      { query: { q: 'ON' }, limit: 29 },
      { query: { q: '%' }, limit: 13 },
      { query: { q: '_', sort: 'model,-id' }, limit: 11 },
      { query: { q: 'ü', sort: '-color' }, limit: 7 },
      { query: { q: 'Ω' }, limit: 31 },
      { query: { sort: 'model,-id' }, limit: 250 },
      { query: { sort: '-color' }, limit: 250 },
      { query: { sort: 'color,model' }, limit: 250 },
      { query: { sort: '-id' }, limit: 500 },
      { query: { sort: 'model,-color,id', q: 'e' }, limit: 97 },
      { query: { sort: 'id,model' }, limit: 400 },
      { query: { color: 'white' }, limit: 5 },
    ];
    for (const { query, limit } of cases) {
      const search = new URLSearchParams({ ...query, limit: String(limit) }).toString();
      it(`matches the JS model for ${search}`, async () => {
        const want = expected(all, query);
        const { cars, pages } = await walk(server, `/cars?${search}`);
        assert.deepEqual(cars, want);
        assert.equal(pages.length, Math.max(1, Math.ceil(want.length / limit)));
      });
    }

    it('has seed data that makes the filter cases meaningful', () => {
      // A filter case that matches nothing, or everything, would pass by accident.
      assert.ok(expected(all, { model: 'HONDA' }).length > 100);
      assert.ok(expected(all, { q: '%' }).some((c) => c.model.includes('%')));
      assert.ok(expected(all, { q: '%' }).some((c) => c.color.includes('%')));
      assert.ok(expected(all, { q: '%' }).length < SEEDED / 3);
      assert.equal(expected(all, { color: 'white' }).length, 0);
    });

    it('treats % and _ in q as plain characters, not wildcards', async () => {
      const res = await server.request('GET', '/cars?q=0%25_&limit=1000');
      assert.deepEqual(ids(res.json), ids(expected(all, { q: '0%_' })));
      assert.ok(res.json.length > 0);
      assert.ok((res.json as Car[]).every((c) => c.model === '100%_Electric'));
    });

    it('answers 400 problem for a sort that is not in the documented grammar', async () => {
      for (const sort of ['bogus', 'model,', '+model', 'id,model,color,id', 'MODEL', '-', '']) {
        const res = await server.request('GET', `/cars?sort=${encodeURIComponent(sort)}`);
        assert.equal(res.status, 400, `sort=${sort}`);
      }
    });
  });

  describe('X-Total-Count', () => {
    it('is absent unless total=true', async () => {
      for (const path of ['/cars', '/cars?total=false', '/cars?model=honda']) {
        const res = await server.request('GET', path);
        assert.equal(res.headers.get('x-total-count'), null, path);
      }
    });

    it('counts every match, on every page, with total=true', async () => {
      const want = expected(all, { q: 'on' });
      const { pages } = await walk(server, '/cars?q=on&limit=150&total=true');
      assert.ok(pages.length > 1);
      for (const page of pages) assert.equal(page.headers.get('x-total-count'), String(want.length));
      const unfiltered = await server.request('GET', '/cars?total=true&limit=1');
      assert.equal(unfiltered.headers.get('x-total-count'), String(SEEDED));
      const none = await server.request('GET', '/cars?total=true&model=Trabant');
      assert.equal(none.headers.get('x-total-count'), '0');
    });

    it('answers 400 problem for a total that is not a boolean', async () => {
      const res = await server.request('GET', '/cars?total=yes');
      assert.equal(res.status, 400);
    });
  });
});

describe('GET /cars while cars are being added', () => {
  const all = seedCars(SEEDED);
  const server = useServer({}, (s) => seed(s, all));
  // Ids above the seeded range and inside its gaps, so new cars land before and after the cursor.
  let nextNew = 0;
  const newCar = (): Car => {
    nextNew++;
    return {
      id: nextNew % 2 === 0 ? 20_000 + nextNew : ((nextNew * 7919 + 5003) % 10007) + 1,
      model: MODELS[(nextNew * 5) % MODELS.length] ?? 'x',
      color: COLORS[(nextNew * 3) % COLORS.length] ?? 'x',
    };
  };
  const added: Car[] = [];
  /** POSTs `count` new cars concurrently; ids already taken (a seeded gap filled) answer 409 and are skipped. */
  const addCars = async (count: number) => {
    await Promise.all(
      Array.from({ length: count }, async () => {
        const car = newCar();
        const res = await server.request('POST', '/cars', { json: car });
        assert.ok(res.status === 201 || res.status === 409, `POST ${JSON.stringify(car)}: ${res.status}`);
        if (res.status === 201) added.push(res.json as Car);
      }),
    );
  };


  /** Every car that existed before the walk appears once; nothing appears twice; nothing unknown appears. */
  const assertWalk = (cars: readonly Car[], existing: readonly Car[], sort: string) => {
    assertNoDuplicates(cars);
    const seen = new Set(ids(cars));
    for (const car of existing) assert.ok(seen.has(car.id), `car ${car.id}, present before the walk, was skipped`);
    const known = new Set([...ids(existing), ...ids(added)]);
    for (const car of cars) assert.ok(known.has(car.id), `car ${car.id} was never created`);
    assertSorted(cars, sort);
  };

  for (const sort of ['id', 'model,-id', '-color']) {
    it(`returns every existing car exactly once with sort=${sort}, following Link`, async () => {
      const existing = expected([...all, ...added], {});
      const addedBefore = added.length;
      const { cars } = await walk(server, `/cars?limit=100&sort=${sort}`, { during: () => addCars(4) });
      assert.ok(added.length - addedBefore >= 20, 'cars were really added during the walk');
      assertWalk(cars, existing, sort);
    });
  }

  it('returns every existing car exactly once through the typed client listAll', async () => {
    const existing = expected([...all, ...added], {});
    const addedBefore = added.length;
    const client = createCarsClient({ baseUrl: server.url });
    const cars: Car[] = [];
    for await (const car of client.listAll({ limit: 100, sort: 'model,-id' })) {
      cars.push(car);
      // Add cars in the middle of each page, while the generator holds its cursor.
      if (cars.length % 50 === 25) await addCars(3);
      assert.ok(cars.length <= existing.length + 1000, 'listAll stops');
    }
    assert.ok(added.length - addedBefore >= 20, 'cars were really added during the walk');
    assertWalk(cars, existing, 'model,-id');
  });
});
