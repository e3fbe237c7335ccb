/** A CarStore wrapper that fails on demand, so the contract test reaches the server's real 500 and 503 paths. */
import type { CarStore } from '../../src/store/car-store.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';

/**
 * What the next store call throws: `internal` a plain Error (the server answers 500),
 * `unavailable` a {@link StoreUnavailableError} (503 with `Retry-After: retryAfterSeconds`).
 */
export type Fault = { kind: 'internal' } | { kind: 'unavailable'; retryAfterSeconds: number };

/** The kinds of {@link Fault}. */
export const FAULT_KINDS = ['internal', 'unavailable'] as const;

/** The message every injected fault carries; a 5xx body that shows it leaks internals. */
export const INJECTED_MESSAGE = 'injected fault';

/** A store that delegates every call, plus the switch that makes its next call fail. */
export interface FaultyStore {
  readonly store: CarStore;
  /** Makes the next store call, whichever it is (`ping()` included), throw `fault`. */
  arm(fault?: Fault): void;
  /** Cancels an armed fault that no call has used yet. */
  disarm(): void;
  readonly armed: boolean;
}

/** Wraps a store; an armed fault fires once and then disarms itself. */
export function withFaults(inner: CarStore): FaultyStore {
  let pending: Fault | undefined;
  const trip = (): void => {
    const fault = pending;
    if (!fault) return;
    pending = undefined;
    if (fault.kind === 'unavailable') {
      throw new StoreUnavailableError(`${INJECTED_MESSAGE}: store unavailable`, {
        retryAfterSeconds: fault.retryAfterSeconds,
      });
    }
    throw new Error(INJECTED_MESSAGE);
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
    arm: (fault = { kind: 'internal' }) => void (pending = fault),
    disarm: () => void (pending = undefined),
    get armed() {
      return pending !== undefined;
    },
  };
}
