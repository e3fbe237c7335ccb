/** What the shared store suites are given, and the one helper they all use. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
import type { CarStore, NewCar, StoredCar } from '../../src/store/car-store.js';
import type { MigratedStore } from '../../src/store/migration.js';

/** A fresh, empty store for one test, and how to dispose of it. */
export interface StoreFixture {
  store: MigratedStore;
  cleanup(): Promise<void>;
}

/** Makes a fresh, empty store each time it is called. */
export type StoreFactory = () => Promise<StoreFixture>;

/** Gives each test of the current suite a fresh store from `factory` (passed to `use`), and disposes of it after. */
export function freshStorePerTest(factory: StoreFactory, use: (store: MigratedStore) => void): void {
  let fixture: StoreFixture | undefined;
  beforeEach(async () => {
    fixture = await factory();
    use(fixture.store);
  });
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });
}

/** Inserts a car and fails the test unless it was created. */
export async function mustCreate(store: CarStore, car: NewCar): Promise<StoredCar> {
  const outcome = await store.insert(car);
  assert.equal(outcome.status, 'created');
  if (outcome.status !== 'created') throw new Error('unreachable');
  return outcome.car;
}
