/** Liveness and readiness handlers, keyed by operationId. */
import type { Handlers } from '../http/handler-types.js';
import type { CarStore } from '../store/car-store.js';
import { StoreUnavailableError } from '../store/store-errors.js';

type HealthHandlers = Pick<Handlers, 'getHealth' | 'getReadiness'>;

/** Builds the health handlers over a store. */
export function createHealthHandlers(store: CarStore): HealthHandlers {
  return {
    async getHealth() {
      return { status: 200, body: { status: 'ok' } };
    },

    async getReadiness() {
      try {
        await store.ping();
      } catch (err) {
        // Not ready, whatever the reason: a load balancer only needs to stop sending traffic.
        throw err instanceof StoreUnavailableError ? err : new StoreUnavailableError('the store failed its readiness check', { cause: err });
      }
      return { status: 200, body: { status: 'ready' } };
    },
  };
}
