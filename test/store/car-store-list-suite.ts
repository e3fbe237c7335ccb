/** The listing half of the shared CarStore suite: keyset paging, sorting, filters, q and totals. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CarStore, ListQuery, SortKey, StoredCar } from '../../src/store/car-store.js';
import { freshStorePerTest, mustCreate, type StoreFactory, type StoreFixture } from './store-fixture.js';

const asc = (field: SortKey['field']): SortKey => ({ field, desc: false });
const desc = (field: SortKey['field']): SortKey => ({ field, desc: true });

/** Orders cars the way the contract says: strings by UTF-8 bytes, id ascending as the last key. */
function expectedOrder(cars: readonly StoredCar[], sort: readonly SortKey[]): StoredCar[] {
  const keys = [...sort, asc('id')];
  return [...cars].sort((a, b) => {
    for (const { field, desc: down } of keys) {
      const x = a[field];
      const y = b[field];
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : Buffer.compare(Buffer.from(String(x)), Buffer.from(String(y)));
      if (c !== 0) return down ? -c : c;
    }
    return 0;
  });
}

/** Reads every page of a listing; bounded so a paging bug fails instead of looping. */
async function readAllPages(store: CarStore, query: Omit<ListQuery, 'after'>, maxPages = 200): Promise<StoredCar[]> {
  const seen: StoredCar[] = [];
  let after: StoredCar | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await store.list({ ...query, ...(after ? { after } : {}) });
    assert.ok(result.cars.length <= query.limit, 'a page never holds more than limit cars');
    seen.push(...result.cars);
    if (!result.hasMore) return seen;
    assert.equal(result.cars.length, query.limit, 'a page followed by more is full');
    after = result.cars.at(-1);
  }
  assert.fail(`still more pages after ${maxPages}`);
}

/** Registers the listing tests; small tests get a fresh store each, paging tests share 250 cars. */
export function describeCarStoreListing(factory: StoreFactory): void {
  describe('list', () => {
    describe('paging through 250 cars', () => {
      let all: StoredCar[] = [];
      let pagingFixture: StoreFixture | undefined;
      let paged: CarStore;
      // Mixed case, accents, CJK, astral-plane emoji and fullwidth letters: UTF-8 byte order
      // differs from JavaScript's UTF-16 order for the last two.
      const models = ['Honda', 'honda', 'HONDA', 'Škoda', 'BMW', 'Ωmega', 'トヨタ', '😀car', 'Ｆull', 'a b', 'Zed'];
      const colors = ['Red', 'red', 'Blue', 'Grün', 'White', '白', '🔴', 'Ｒed'];

      before(async () => {
        pagingFixture = await factory();
        paged = pagingFixture.store;
        all = [];
        for (let i = 0; i < 250; i++) {
          // Ids are spread out and not in insertion order, so id order is a real check.
          const id = ((i * 7919) % 1000) + 1;
          all.push(await mustCreate(paged, { id, model: models[i % models.length]!, color: colors[(i * 3) % colors.length]! }));
        }
      });
      after(async () => {
        await pagingFixture?.cleanup();
      });

      const sorts: Record<string, SortKey[]> = {
        id: [asc('id')],
        '-id': [desc('id')],
        model: [asc('model')],
        '-model,id': [desc('model'), asc('id')],
        'color,-id': [asc('color'), desc('id')],
        '-color,model': [desc('color'), asc('model')],
        'model,-color': [asc('model'), desc('color')],
      };
      for (const [name, sort] of Object.entries(sorts)) {
        it(`returns every car exactly once, in order, with limit 7 and sort=${name}`, async () => {
          const seen = await readAllPages(paged, { limit: 7, sort });
          assert.equal(seen.length, 250);
          assert.equal(new Set(seen.map((c) => c.id)).size, 250);
          assert.deepEqual(
            seen.map((c) => c.id),
            expectedOrder(all, sort).map((c) => c.id),
          );
        });
      }

      it('sorts non-ASCII strings by UTF-8 bytes, not by JavaScript string order', async () => {
        const seen = await readAllPages(paged, { limit: 1000, sort: [asc('model')] });
        const distinct = [...new Set(seen.map((c) => c.model))];
        assert.deepEqual(distinct, [...new Set(models)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
        // '😀car' (F0 9F...) sorts after 'Ｆull' (EF BC...) by bytes, before it by UTF-16.
        assert.ok(distinct.indexOf('Ｆull') < distinct.indexOf('😀car'));
      });

      it('ignores repeated sort keys and keys after id', async () => {
        const page = await paged.list({ limit: 250, sort: [desc('id'), asc('model'), desc('id')] });
        assert.deepEqual(
          page.cars.map((c) => c.id),
          expectedOrder(all, [desc('id')]).map((c) => c.id),
        );
      });

      it('filters model and color case-insensitively, also while paging', async () => {
        const hondas = await readAllPages(paged, { limit: 7, sort: [asc('id')], model: 'hONDA' });
        const expected = expectedOrder(
          all.filter((c) => c.model.toLowerCase() === 'honda'),
          [asc('id')],
        );
        assert.ok(expected.length > 0);
        assert.deepEqual(hondas, expected);
        const redHondas = await paged.list({ limit: 1000, sort: [], model: 'HONDA', color: 'RED', withTotal: true });
        const expectedRed = all.filter((c) => c.model.toLowerCase() === 'honda' && c.color.toLowerCase() === 'red');
        assert.ok(expectedRed.length > 0);
        assert.equal(redHondas.total, expectedRed.length);
        assert.deepEqual(redHondas.cars, expectedOrder(expectedRed, []));
      });

      it('matches q as a case-insensitive substring of model or color', async () => {
        const page = await paged.list({ limit: 1000, sort: [], q: 'ED', withTotal: true });
        const expected = all.filter((c) => c.model.toLowerCase().includes('ed') || c.color.toLowerCase().includes('ed'));
        assert.ok(expected.some((c) => c.model === 'Zed') && expected.some((c) => c.color === 'Red'));
        assert.deepEqual(page.cars, expectedOrder(expected, []));
        assert.equal(page.total, expected.length);
        assert.equal(page.hasMore, false);
      });

      it('counts every match with withTotal, whatever the page', async () => {
        const first = await paged.list({ limit: 7, sort: [asc('color')], withTotal: true });
        assert.equal(first.total, 250);
        assert.equal(first.cars.length, 7);
        assert.equal(first.hasMore, true);
        const later = await paged.list({ limit: 7, sort: [asc('color')], withTotal: true, after: first.cars.at(-1)! });
        assert.equal(later.total, 250);
        const plain = await paged.list({ limit: 7, sort: [] });
        assert.equal(plain.total, undefined);
        assert.equal('total' in plain, false);
      });
    });

    describe('small listings', () => {
      let store: CarStore;
      freshStorePerTest(factory, (fresh) => (store = fresh));

      it('answers an empty page for an empty store', async () => {
        assert.deepEqual(await store.list({ limit: 10, sort: [], withTotal: true }), { cars: [], hasMore: false, total: 0 });
      });

      it('sets hasMore only when more cars follow the page', async () => {
        for (let i = 1; i <= 3; i++) await mustCreate(store, { id: i, model: 'M', color: 'c' });
        assert.equal((await store.list({ limit: 3, sort: [] })).hasMore, false);
        assert.equal((await store.list({ limit: 3, sort: [] })).cars.length, 3);
        const two = await store.list({ limit: 2, sort: [] });
        assert.deepEqual(
          two.cars.map((c) => c.id),
          [1, 2],
        );
        assert.equal(two.hasMore, true);
        const rest = await store.list({ limit: 2, sort: [], after: two.cars[1]! });
        assert.deepEqual(
          rest.cars.map((c) => c.id),
          [3],
        );
        assert.equal(rest.hasMore, false);
      });

      it('treats q as plain text, never as a wildcard', async () => {
        await mustCreate(store, { id: 1, model: '50%_off', color: 'Red' });
        await mustCreate(store, { id: 2, model: '50 off', color: 'Blue' });
        await mustCreate(store, { id: 3, model: 'Back\\slash', color: 'Blue' });
        const ids = async (q: string) => (await store.list({ limit: 10, sort: [], q })).cars.map((c) => c.id);
        assert.deepEqual(await ids('%'), [1]);
        assert.deepEqual(await ids('_'), [1]);
        assert.deepEqual(await ids('0%_O'), [1]);
        assert.deepEqual(await ids('\\'), [3]);
        assert.deepEqual(await ids('*'), []);
      });

      it('does not treat the filter value as a pattern', async () => {
        await mustCreate(store, { id: 1, model: 'Honda', color: 'Red' });
        assert.deepEqual((await store.list({ limit: 10, sort: [], model: 'Hond%' })).cars, []);
        assert.deepEqual((await store.list({ limit: 10, sort: [], model: 'Hond' })).cars, []);
      });
    });
  });
}
