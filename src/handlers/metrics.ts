/** The Prometheus scrape endpoint. */
import type { Handlers } from '../http/handler-types.js';
import type { Metrics } from '../http/observe.js';

/** Builds the metrics handler over an app's registry. */
export function createMetricsHandlers(metrics: Metrics): Pick<Handlers, 'getMetrics'> {
  return {
    async getMetrics() {
      // The exposition format, without the charset parameter, as the spec documents it.
      return { status: 200, body: { raw: await metrics.registry.metrics(), contentType: 'text/plain; version=0.0.4' } };
    },
  };
}
