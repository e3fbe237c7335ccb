/** A store wrapper that fails on demand, so the contract test reaches the server's real 500 and 503 paths. */
import type { CarStore } from '../../src/store/car-store.js';
import type { MigratedStore } from '../../src/store/migration.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';

/** The CarStore methods a fault can fire on. */
export type CarStoreMethod = Exclude<keyof CarStore, 'close'>;

/** Every {@link CarStoreMethod}. */
export const CAR_STORE_METHODS = ['list', 'get', 'insert', 'put', 'update', 'delete', 'ping'] as const satisfies readonly CarStoreMethod[];

/**
 * What the next matching store call throws: `internal` a plain Error (the server answers 500),
 * `unavailable` a {@link StoreUnavailableError} (503 with `Retry-After: retryAfterSeconds`).
 * `on` names the methods it may fire on; any CarStore method when omitted.
 */
export type Fault = ({ kind: 'internal' } | { kind: 'unavailable'; retryAfterSeconds: number }) & {
  on?: readonly CarStoreMethod[];
};

/** The kinds of {@link Fault}. */
export const FAULT_KINDS = ['internal', 'unavailable'] as const;

/** The message every injected fault carries; a 5xx body that shows it leaks internals. */
export const INJECTED_MESSAGE = 'injected fault';

/** A store that delegates every call, plus the switch that makes its next car call fail. */
export interface FaultyStore {
  readonly store: MigratedStore;
  /**
   * Makes the next call of a CarStore method (`ping()` included) named by `fault.on` throw.
   * API-key lookups never fail: authentication reads them before the handler runs, and the
   * fault is meant for the handler's own store call.
   */
  arm(fault?: Fault): void;
  /** Cancels an armed fault that no call has used yet. */
  disarm(): void;
  readonly armed: boolean;
}

/** Wraps a store; an armed fault fires once and then disarms itself. */
export function withFaults(inner: MigratedStore): FaultyStore {
  let pending: Fault | undefined;
  const trip = (method: CarStoreMethod): void => {
    const fault = pending;
    if (!fault || (fault.on && !fault.on.includes(method))) return;
    pending = undefined;
    if (fault.kind === 'unavailable') {
      throw new StoreUnavailableError(`${INJECTED_MESSAGE}: store unavailable`, {
        retryAfterSeconds: fault.retryAfterSeconds,
      });
    }
    throw new Error(INJECTED_MESSAGE);
  };

  // Written out rather than a Proxy, so that a method added to the store is a compile error here.
  const store: MigratedStore = {
    async list(query) {
      trip('list');
      return inner.list(query);
    },
    async get(id) {
      trip('get');
      return inner.get(id);
    },
    async insert(car, claim) {
      trip('insert');
      return inner.insert(car, claim);
    },
    async put(car, condition) {
      trip('put');
      return inner.put(car, condition);
    },
    async update(id, changes, condition) {
      trip('update');
      return inner.update(id, changes, condition);
    },
    async delete(id, condition) {
      trip('delete');
      return inner.delete(id, condition);
    },
    async ping() {
      trip('ping');
      return inner.ping();
    },
    close: () => inner.close(),
    createApiKey: (key) => inner.createApiKey(key),
    findApiKey: (id) => inner.findApiKey(id),
    listApiKeys: () => inner.listApiKeys(),
    revokeApiKey: (id) => inner.revokeApiKey(id),
    countActiveApiKeys: () => inner.countActiveApiKeys(),
    appliedMigrations: () => inner.appliedMigrations(),
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
