/** The behaviour every CarStore engine must show; each engine's test file runs it with its own factory. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_CAR_ID, type CarStore, type StoredCar } from '../../src/store/car-store.js';
import { describeCarStoreListing } from './car-store-list-suite.js';
import { freshStorePerTest, mustCreate, type StoreFactory } from './store-fixture.js';

export type { StoreFactory, StoreFixture } from './store-fixture.js';

/** Registers the shared CarStore tests; every test gets its own store from `factory`. */
export function describeCarStore(factory: StoreFactory): void {
  let store: CarStore;
  const fresh = () => freshStorePerTest(factory, (fresh) => (store = fresh));

  describe('insert', () => {
    fresh();

    it('creates a car with the id it was given', async () => {
      const outcome = await store.insert({ id: 5, model: 'Honda', color: 'White' });
      assert.equal(outcome.status, 'created');
      assert.ok(outcome.status === 'created' && Number.isSafeInteger(outcome.car.revision) && outcome.car.revision > 0);
      assert.deepEqual(outcome, { status: 'created', car: { id: 5, model: 'Honda', color: 'White', revision: outcome.car.revision } });
      assert.deepEqual(await store.get(5), outcome.car);
    });

    it('picks id 1 in an empty store and max id + 1 after that', async () => {
      assert.equal((await mustCreate(store, { model: 'A', color: 'a' })).id, 1);
      await mustCreate(store, { id: 41, model: 'B', color: 'b' });
      assert.equal((await mustCreate(store, { model: 'C', color: 'c' })).id, 42);
    });

    it('answers conflict for a taken id and leaves the car as it was', async () => {
      const first = await mustCreate(store, { id: 3, model: 'Honda', color: 'White' });
      assert.deepEqual(await store.insert({ id: 3, model: 'Ford', color: 'Red' }), { status: 'conflict', id: 3 });
      assert.deepEqual(await store.get(3), first);
    });

    it('stores and returns MAX_CAR_ID exactly', async () => {
      await mustCreate(store, { id: MAX_CAR_ID, model: 'Top', color: 'Gold' });
      const car = await store.get(MAX_CAR_ID);
      assert.equal(car?.id, MAX_CAR_ID);
      assert.equal(typeof car?.id, 'number');
    });

    it('fills the lowest free id once MAX_CAR_ID is taken', async () => {
      await mustCreate(store, { id: MAX_CAR_ID, model: 'Top', color: 'Gold' });
      assert.equal((await mustCreate(store, { model: 'A', color: 'a' })).id, 1);
      await mustCreate(store, { id: 2, model: 'B', color: 'b' });
      await mustCreate(store, { id: 3, model: 'C', color: 'c' });
      assert.equal((await mustCreate(store, { model: 'D', color: 'd' })).id, 4);
      assert.deepEqual(await store.delete(2), { status: 'deleted' });
      assert.equal((await mustCreate(store, { model: 'E', color: 'e' })).id, 2);
      assert.equal((await mustCreate(store, { model: 'F', color: 'f' })).id, 5);
    });

    it('gives concurrent inserts without id distinct ids', async () => {
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => store.insert({ model: `M${i}`, color: 'c' })));
      const ids = outcomes.map((o) => (o.status === 'created' ? o.car.id : -1));
      assert.deepEqual([...ids].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });
  });

  describe('get', () => {
    fresh();

    it('answers undefined for a missing car', async () => {
      assert.equal(await store.get(999), undefined);
    });

    it('returns a plain object with exactly id, model, color and revision', async () => {
      const created = await mustCreate(store, { id: 7, model: 'Škoda', color: 'Grün' });
      const car = await store.get(7);
      assert.deepStrictEqual(car, { id: 7, model: 'Škoda', color: 'Grün', revision: created.revision });
      assert.equal(Object.getPrototypeOf(car), Object.prototype);
    });
  });

  describe('put', () => {
    fresh();

    it('creates an absent car, then replaces it with a new revision', async () => {
      const created = await store.put({ id: 9, model: 'Honda', color: 'White' });
      assert.equal(created.status, 'created');
      assert.ok(created.status === 'created');
      const replaced = await store.put({ id: 9, model: 'Ford', color: 'Red' });
      assert.equal(replaced.status, 'replaced');
      assert.ok(replaced.status === 'replaced');
      assert.deepEqual(replaced.car, { id: 9, model: 'Ford', color: 'Red', revision: replaced.car.revision });
      assert.ok(replaced.car.revision > created.car.revision);
      assert.deepEqual(await store.get(9), replaced.car);
    });

    it('gives each of many concurrent PUTs its own outcome, one create per id, and keeps the last revision', async () => {
      const puts = Array.from({ length: 60 }, (_, i) => ({ id: 100 + (i % 20), model: `Model ${i}`, color: `Color ${i}` }));
      const outcomes = await Promise.all(puts.map((car) => store.put(car)));
      const gets = await Promise.all(Array.from({ length: 20 }, (_, i) => store.get(100 + i)));
      assert.equal(new Set(outcomes.map((o) => (o.status === 'created' || o.status === 'replaced' ? o.car.revision : NaN))).size, 60);
      for (let id = 100; id < 120; id++) {
        const mine = outcomes.flatMap((o, i) => (puts[i]?.id === id && (o.status === 'created' || o.status === 'replaced') ? [{ ...o, sent: puts[i] }] : []));
        assert.equal(mine.length, 3);
        assert.equal(mine.filter((o) => o.status === 'created').length, 1, `one create for car ${id}`);
        for (const o of mine) assert.deepEqual(o.car, { ...o.sent, revision: o.car.revision });
        const last = mine.reduce((a, b) => (b.car.revision > a.car.revision ? b : a));
        assert.deepEqual(gets[id - 100], last.car, `car ${id} holds its newest write`);
      }
    });
  });

  describe('update', () => {
    fresh();

    it('changes only the given fields and assigns a new revision', async () => {
      const car = await mustCreate(store, { id: 1, model: 'Honda', color: 'White' });
      const outcome = await store.update(1, { color: 'Red' });
      assert.equal(outcome.status, 'updated');
      assert.ok(outcome.status === 'updated');
      assert.deepEqual(outcome.car, { id: 1, model: 'Honda', color: 'Red', revision: outcome.car.revision });
      assert.ok(outcome.car.revision > car.revision);
      const again = await store.update(1, { model: 'Civic' });
      assert.ok(again.status === 'updated');
      assert.deepEqual(await store.get(1), { id: 1, model: 'Civic', color: 'Red', revision: again.car.revision });
    });

    it('answers not-found for a missing car', async () => {
      assert.deepEqual(await store.update(404, { color: 'Red' }), { status: 'not-found' });
      assert.equal(await store.get(404), undefined);
    });
  });

  describe('delete', () => {
    fresh();

    it('deletes a car, then answers not-found', async () => {
      await mustCreate(store, { id: 1, model: 'Honda', color: 'White' });
      assert.deepEqual(await store.delete(1), { status: 'deleted' });
      assert.equal(await store.get(1), undefined);
      assert.deepEqual(await store.delete(1), { status: 'not-found' });
    });
  });

  describe('revisions', () => {
    fresh();

    it('increase strictly on every write and are never reused after delete and re-create', async () => {
      const revisions: number[] = [];
      const take = (r: number) => revisions.push(r);
      take((await mustCreate(store, { id: 1, model: 'A', color: 'a' })).revision);
      take((await mustCreate(store, { id: 2, model: 'B', color: 'b' })).revision);
      const put = await store.put({ id: 1, model: 'A2', color: 'a' });
      assert.ok(put.status === 'replaced');
      take(put.car.revision);
      const updated = await store.update(2, { color: 'b2' });
      assert.ok(updated.status === 'updated');
      take(updated.car.revision);
      assert.deepEqual(await store.delete(1), { status: 'deleted' });
      const recreated = await store.put({ id: 1, model: 'A', color: 'a' });
      assert.ok(recreated.status === 'created');
      take(recreated.car.revision);
      take((await mustCreate(store, { model: 'C', color: 'c' })).revision);
      for (let i = 1; i < revisions.length; i++) {
        assert.ok(revisions[i]! > revisions[i - 1]!, `revision ${revisions[i]} follows ${revisions[i - 1]}`);
      }
    });
  });

  describe('write conditions', () => {
    fresh();
    let car: StoredCar;
    beforeEach(async () => {
      car = await mustCreate(store, { id: 1, model: 'Honda', color: 'White' });
    });

    it('writes when If-Match names the current revision, alone or among others', async () => {
      const put = await store.put({ id: 1, model: 'Ford', color: 'Red' }, { expectedRevisions: [car.revision] });
      assert.equal(put.status, 'replaced');
      assert.ok(put.status === 'replaced');
      const updated = await store.update(1, { color: 'Blue' }, { expectedRevisions: [car.revision, put.car.revision, 999_999] });
      assert.equal(updated.status, 'updated');
      assert.ok(updated.status === 'updated');
      assert.deepEqual(await store.delete(1, { expectedRevisions: [updated.car.revision] }), { status: 'deleted' });
    });

    it('refuses a stale If-Match with precondition-failed and writes nothing', async () => {
      const stale = { expectedRevisions: [car.revision + 1000] };
      assert.deepEqual(await store.put({ id: 1, model: 'Ford', color: 'Red' }, stale), { status: 'precondition-failed' });
      assert.deepEqual(await store.update(1, { color: 'Red' }, stale), { status: 'precondition-failed' });
      assert.deepEqual(await store.delete(1, stale), { status: 'precondition-failed' });
      assert.deepEqual(await store.get(1), car);
    });

    it('accepts If-Match * for an existing car', async () => {
      assert.equal((await store.put({ id: 1, model: 'Ford', color: 'Red' }, { expectedRevisions: 'any' })).status, 'replaced');
      assert.equal((await store.update(1, { color: 'Blue' }, { expectedRevisions: 'any' })).status, 'updated');
      assert.deepEqual(await store.delete(1, { expectedRevisions: 'any' }), { status: 'deleted' });
    });

    it('refuses a PUT with If-Match to an absent car instead of creating it', async () => {
      assert.deepEqual(await store.put({ id: 2, model: 'Ford', color: 'Red' }, { expectedRevisions: 'any' }), { status: 'precondition-failed' });
      assert.deepEqual(await store.put({ id: 2, model: 'Ford', color: 'Red' }, { expectedRevisions: [car.revision] }), {
        status: 'precondition-failed',
      });
      assert.equal(await store.get(2), undefined);
    });

    it('answers not-found for PATCH and DELETE with If-Match to an absent car (RFC 9110 §13.2.1)', async () => {
      assert.deepEqual(await store.update(2, { color: 'Red' }, { expectedRevisions: 'any' }), { status: 'not-found' });
      assert.deepEqual(await store.delete(2, { expectedRevisions: [car.revision] }), { status: 'not-found' });
    });

    it('creates with If-None-Match * only when the car is absent', async () => {
      assert.deepEqual(await store.put({ id: 1, model: 'Ford', color: 'Red' }, { createOnly: true }), { status: 'precondition-failed' });
      assert.deepEqual(await store.get(1), car);
      assert.equal((await store.put({ id: 2, model: 'Ford', color: 'Red' }, { createOnly: true })).status, 'created');
    });

    it('with requireCondition refuses unconditional writes to existing cars with precondition-required', async () => {
      const required = { requireCondition: true };
      assert.deepEqual(await store.put({ id: 1, model: 'Ford', color: 'Red' }, required), { status: 'precondition-required' });
      assert.deepEqual(await store.update(1, { color: 'Red' }, required), { status: 'precondition-required' });
      assert.deepEqual(await store.delete(1, required), { status: 'precondition-required' });
      assert.deepEqual(await store.get(1), car);
      // Creating needs no If-Match, and a conditional write goes through.
      assert.equal((await store.put({ id: 2, model: 'Ford', color: 'Red' }, required)).status, 'created');
      assert.equal((await store.update(1, { color: 'Red' }, { ...required, expectedRevisions: [car.revision] })).status, 'updated');
      assert.deepEqual(await store.put({ id: 1, model: 'X', color: 'Y' }, { ...required, createOnly: true }), {
        status: 'precondition-failed',
      });
    });

    it('lets exactly one of 20 racing updates with the same If-Match win', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.update(1, { color: `Color ${i}` }, { expectedRevisions: [car.revision] })),
      );
      const winners = outcomes.filter((o) => o.status === 'updated');
      assert.equal(winners.length, 1);
      assert.equal(outcomes.filter((o) => o.status === 'precondition-failed').length, 19);
      const winner = winners[0];
      assert.ok(winner?.status === 'updated');
      assert.deepEqual(await store.get(1), winner.car);
    });

    it('lets exactly one of 20 racing If-None-Match * creates win', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.put({ id: 77, model: `Model ${i}`, color: 'c' }, { createOnly: true })),
      );
      assert.equal(outcomes.filter((o) => o.status === 'created').length, 1);
      assert.equal(outcomes.filter((o) => o.status === 'precondition-failed').length, 19);
    });

    it('deletes exactly once when 10 deletes race with the same If-Match', async () => {
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.delete(1, { expectedRevisions: [car.revision] })));
      assert.equal(outcomes.filter((o) => o.status === 'deleted').length, 1);
      assert.equal(outcomes.filter((o) => o.status === 'not-found').length, 9);
    });
  });

  describe('idempotency keys', () => {
    fresh();
    const claim = (key: string, fingerprint = 'fp-1', ttlMs = 60_000) => ({ key, fingerprint, ttlMs });

    it('replays the first car for the same key and fingerprint and creates nothing new', async () => {
      const first = await store.insert({ model: 'Honda', color: 'White' }, claim('k1'));
      assert.ok(first.status === 'created');
      // The replay shows the car as first created, even after it changed.
      assert.equal((await store.update(first.car.id, { color: 'Red' })).status, 'updated');
      const again = await store.insert({ model: 'Honda', color: 'White' }, claim('k1'));
      assert.deepEqual(again, { status: 'replayed', car: { id: first.car.id, model: 'Honda', color: 'White' }, revision: first.car.revision });
      assert.equal((await store.list({ limit: 10, sort: [], withTotal: true })).total, 1);
    });

    it('answers key-reused for the same key with another fingerprint', async () => {
      assert.equal((await store.insert({ model: 'Honda', color: 'White' }, claim('k2', 'fp-a'))).status, 'created');
      assert.deepEqual(await store.insert({ model: 'Ford', color: 'Red' }, claim('k2', 'fp-b')), { status: 'key-reused' });
      assert.equal((await store.list({ limit: 10, sort: [], withTotal: true })).total, 1);
    });

    it('treats an expired key as new', async () => {
      const first = await store.insert({ model: 'Honda', color: 'White' }, claim('k3', 'fp', 25));
      assert.ok(first.status === 'created');
      await sleep(60);
      const second = await store.insert({ model: 'Honda', color: 'White' }, claim('k3', 'fp', 25));
      assert.ok(second.status === 'created');
      assert.notEqual(second.car.id, first.car.id);
      // The renewed key replays the second car now.
      assert.deepEqual(await store.insert({ model: 'Honda', color: 'White' }, claim('k3', 'fp', 25)), {
        status: 'replayed',
        car: { id: second.car.id, model: 'Honda', color: 'White' },
        revision: second.car.revision,
      });
    });

    it('creates exactly one car for 10 concurrent inserts with one key', async () => {
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.insert({ model: 'Honda', color: 'White' }, claim('k4'))));
      const created = outcomes.filter((o) => o.status === 'created');
      assert.equal(created.length, 1);
      const car = created[0]?.status === 'created' ? created[0].car : undefined;
      for (const o of outcomes) {
        if (o.status !== 'created') {
          assert.deepEqual(o, { status: 'replayed', car: { id: car?.id, model: 'Honda', color: 'White' }, revision: car?.revision });
        }
      }
      assert.equal((await store.list({ limit: 10, sort: [], withTotal: true })).total, 1);
    });

    it('does not keep the key when the insert conflicts, so a retry is judged afresh', async () => {
      await mustCreate(store, { id: 1, model: 'Honda', color: 'White' });
      assert.deepEqual(await store.insert({ id: 1, model: 'Ford', color: 'Red' }, claim('k5')), { status: 'conflict', id: 1 });
      assert.deepEqual(await store.delete(1), { status: 'deleted' });
      const retry = await store.insert({ id: 1, model: 'Ford', color: 'Red' }, claim('k5'));
      assert.equal(retry.status, 'created');
    });
  });

  describeCarStoreListing(factory);
}
