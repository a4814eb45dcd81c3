import type { RequestTimings } from '@p2psip/overlay';
import { Histogram, type Registry } from 'prom-client';

/** Seconds: a local hop takes a millisecond or less, a request under load can take seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Request latencies of this process's virtual peers, by body type and outcome:
 * `p2psip_overlay_request_seconds` for requests they sent (a replica copy, a join's Attach), from
 * sending to the answer; `p2psip_overlay_handling_seconds` for requests they answered (a Store at
 * the responsible peer: its own write plus the replicas' answers). The difference between a
 * client's request time and the handling time at the responsible peer is the time on the way.
 */
export function requestMetrics(registry: Registry): RequestTimings {
  const labelNames = ['type', 'outcome'] as const;
  const sent = new Histogram({
    name: 'p2psip_overlay_request_seconds',
    help: 'Overlay requests sent by the peers of this process, from sending to the answer (or giving up), by request type',
    labelNames,
    buckets: BUCKETS,
    registers: [registry],
  });
  const handled = new Histogram({
    name: 'p2psip_overlay_handling_seconds',
    help: 'Overlay requests answered by the peers of this process, from arrival to the answer, by request type',
    labelNames,
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    originated: (type, ms, outcome) => sent.observe({ type, outcome }, ms / 1000),
    handled: (type, ms, outcome) => handled.observe({ type, outcome }, ms / 1000),
  };
}
