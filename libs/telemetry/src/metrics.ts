import { Registry, collectDefaultMetrics } from 'prom-client';

export { Registry } from 'prom-client';

/**
 * A fresh Prometheus registry per service (never prom-client's global one, so several services or
 * virtual peers in one process, and tests, do not collide), with Node's process metrics.
 */
export function createMetricsRegistry(
  init: { readonly prefix?: string; readonly processMetrics?: boolean } = {},
): Registry {
  const registry = new Registry();
  if (init.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: init.prefix ?? '' });
  return registry;
}
