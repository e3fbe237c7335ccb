/** A CarStore wrapper that fails on demand, so the contract test reaches the server's real 500 path. */
import type { CarStore } from '../../src/store/car-store.js';

/** A store that delegates every call, plus the switch that makes its next call fail. */
export interface FaultyStore {
  readonly store: CarStore;
  /** Makes the next store call, whichever it is, reject with `injected fault`. */
  arm(): void;
  /** Cancels an armed fault that no call has used yet. */
  disarm(): void;
  readonly armed: boolean;
}

/** Wraps a store; an armed fault fires once and then disarms itself. */
export function withFaults(inner: CarStore): FaultyStore {
  let armed = false;
  const trip = (): void => {
    if (!armed) return;
    armed = false;
    throw new Error('injected fault');
  };

  // Written out rather than a Proxy, so that a method added to CarStore is a compile error here.
  const store: CarStore = {
    async list(query) {
      trip();
      return inner.list(query);
    },
    async get(id) {
      trip();
      return inner.get(id);
    },
    async insert(car, claim) {
      trip();
      return inner.insert(car, claim);
    },
    async put(car, condition) {
      trip();
      return inner.put(car, condition);
    },
    async update(id, changes, condition) {
      trip();
      return inner.update(id, changes, condition);
    },
    async delete(id, condition) {
      trip();
      return inner.delete(id, condition);
    },
    async ping() {
      trip();
      return inner.ping();
    },
    async close() {
      trip();
      return inner.close();
    },
  };

  return {
    store,
    arm: () => void (armed = true),
    disarm: () => void (armed = false),
    get armed() {
      return armed;
    },
  };
}
