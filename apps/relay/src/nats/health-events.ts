import { type Bus, encodeEvent, overlaySubjects } from '@p2psip/bus';
import type { HealthChange, RelayHealthState } from '../inventory/relay-inventory';

/** `p2psip.<overlay>.relay.health`: a relay's health changed. JSON. */
export interface RelayHealthEvent {
  /** host:port of the TURN server. */
  readonly relay: string;
  readonly health: RelayHealthState;
  readonly previous: RelayHealthState;
  /** The relay service that checks it (its Node-ID, hex). */
  readonly checkedBy: string;
  readonly consecutiveFailures: number;
  readonly rttMs?: number;
  readonly allocations?: number;
  /** Relayed traffic, bits per second, where coturn's CLI reports it. */
  readonly bandwidthBps?: number;
  readonly error?: string;
  readonly atMs: number;
}

export function relayHealthEvent(change: HealthChange, checkedBy: string): RelayHealthEvent {
  const { status } = change;
  return {
    relay: status.endpoint.address,
    health: status.health,
    previous: change.previous,
    checkedBy,
    consecutiveFailures: status.consecutiveFailures,
    ...(status.rttMs === undefined || status.health === 'unhealthy' ? {} : { rttMs: status.rttMs }),
    ...(status.allocations === undefined ? {} : { allocations: status.allocations }),
    ...(status.bandwidthBps === undefined ? {} : { bandwidthBps: status.bandwidthBps }),
    ...(status.lastError && status.consecutiveFailures > 0 ? { error: status.lastError } : {}),
    atMs: status.lastCheckedMs ?? 0,
  };
}

export function publishRelayHealth(bus: Bus, overlay: string, event: RelayHealthEvent): void {
  bus.connection.publish(overlaySubjects(overlay).relayHealth, encodeEvent(event));
}
