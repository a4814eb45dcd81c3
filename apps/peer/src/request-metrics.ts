import type { RequestOutcome, RequestTimings } from '@p2psip/overlay';
import { Histogram, type Registry } from 'prom-client';

/** Seconds: a local hop takes a millisecond or less, a request under load can take seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Observes one timed request. */
export type RequestObserver = (type: string, ms: number, outcome: RequestOutcome) => void;

/** Where this process's virtual peers report request latencies. */
export interface PeerRequestMetrics {
  /** For the overlay nodes: requests they sent and requests they answered. */
  readonly timings: RequestTimings;
  /** For the Connect streams: requests thin clients sent through their attachment peer. */
  readonly clientRequests: RequestObserver;
}

/**
 * Request latencies of this process's virtual peers, by body type and outcome:
 * `p2psip_overlay_request_seconds` for requests they sent (a replica copy, a join's Attach), from
 * sending to the answer; `p2psip_overlay_handling_seconds` for requests they answered (a Store at
 * the responsible peer: its own write plus the replicas' answers). The difference between a
 * client's request time and the handling time at the responsible peer is the time on the way.
 * `p2psip_peer_client_request_seconds` times what attached thin clients send, from its arrival on the client's stream to its answer going back.
 */
export function requestMetrics(registry: Registry): PeerRequestMetrics {
  const sent = secondsByType(
    registry,
    'p2psip_overlay_request_seconds',
    'Overlay requests sent by the peers of this process, from sending to the answer (or giving up), by request type',
  );
  const handled = secondsByType(
    registry,
    'p2psip_overlay_handling_seconds',
    'Overlay requests answered by the peers of this process, from arrival to the answer, by request type',
  );
  const relayed = secondsByType(
    registry,
    'p2psip_peer_client_request_seconds',
    'Overlay requests attached thin clients sent through the peers of this process, from arrival on the client stream to the answer going back down it, by request type',
  );
  return { timings: { originated: sent, handled }, clientRequests: relayed };
}

/** A histogram of request times by type and outcome, fed in milliseconds. */
function secondsByType(registry: Registry, name: string, help: string): RequestObserver {
  const histogram = new Histogram({
    name,
    help,
    labelNames: ['type', 'outcome'],
    buckets: BUCKETS,
    registers: [registry],
  });
  return (type, ms, outcome) => histogram.observe({ type, outcome }, ms / 1000);
}
