import { type Registry, createMetricsRegistry } from '@p2psip/telemetry';
import { Counter, Histogram } from 'prom-client';

/** What an overlay store of the edge did: an AOR's entry stored (or renewed), or withdrawn. */
export type StoreOperation = 'store' | 'withdraw';

/**
 * The edge's Prometheus metrics: Node's process metrics (event-loop lag among them), the time of
 * each overlay store (a phone's REGISTER waits for it whenever the AOR's entry changes), and the
 * edge's events by name (registered, overlay-stored, unregistered, …).
 */
export class EdgeMetrics {
  readonly registry: Registry = createMetricsRegistry();
  private readonly stores = new Histogram({
    name: 'p2psip_edge_overlay_store_seconds',
    help: 'Overlay stores of AOR entries, from signing to the responsible peer’s answer',
    labelNames: ['operation', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly events = new Counter({
    name: 'p2psip_edge_events_total',
    help: 'Events of the SIP edge, by name (the lines `--json` prints)',
    labelNames: ['event'],
    registers: [this.registry],
  });

  /** Runs one overlay store and records its time and outcome. */
  async timeStore<T>(operation: StoreOperation, store: () => Promise<T>): Promise<T> {
    const end = this.stores.startTimer({ operation });
    try {
      const result = await store();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'failed' });
      throw error;
    }
  }

  countEvent(event: string): void {
    this.events.inc({ event });
  }
}
