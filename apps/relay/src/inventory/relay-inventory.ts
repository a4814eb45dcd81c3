import { isIP } from 'node:net';
import type { RelayEndpoint } from '../turn/relay-endpoint';

/** unknown: not checked yet; degraded: one failed check, or slow; unhealthy: withdrawn. */
export type RelayHealthState = 'unknown' | 'healthy' | 'degraded' | 'unhealthy';

export interface RelayStatus {
  readonly endpoint: RelayEndpoint;
  readonly health: RelayHealthState;
  readonly consecutiveFailures: number;
  /** Binding round trip of the latest successful check, ms. */
  readonly rttMs?: number;
  /** Active TURN sessions as coturn's CLI reported them; undefined = unknown. */
  readonly allocations?: number;
  /** Relayed traffic, bits per second, from the same report; undefined = unknown. */
  readonly bandwidthBps?: number;
  readonly lastCheckedMs?: number;
  readonly lastError?: string;
}

export interface HealthChange {
  readonly previous: RelayHealthState;
  readonly status: RelayStatus;
}

export interface RankHint {
  /** The client's address family: relays of the same family first. */
  readonly family?: 4 | 6;
  /** Relays that accept this transport first. */
  readonly transport?: 'udp' | 'tcp' | 'tls' | 'dtls';
}

export interface RelayInventoryInit {
  /** Failed checks in a row that withdraw a relay. @default 2 */
  readonly failuresToWithdraw?: number;
  /** A Binding slower than this marks a relay degraded, ms. @default 250 */
  readonly degradedRttMs?: number;
}

/** The transports every relay of this service accepts (coturn runs with --no-tls --no-dtls). */
export const RELAY_TRANSPORTS = ['udp', 'tcp'] as const;

const HANDED_OUT: ReadonlySet<RelayHealthState> = new Set(['healthy', 'degraded']);

/**
 * The relays and their health, updated by the checker, ranked for clients. Pure state: no clock,
 * no I/O — checks report their outcome with the time they ran.
 */
export class RelayInventory {
  private readonly relays = new Map<string, RelayStatus>();
  private readonly failuresToWithdraw: number;
  private readonly degradedRttMs: number;

  constructor(endpoints: readonly RelayEndpoint[], init: RelayInventoryInit = {}) {
    for (const endpoint of endpoints) {
      this.relays.set(endpoint.address, { endpoint, health: 'unknown', consecutiveFailures: 0 });
    }
    this.failuresToWithdraw = init.failuresToWithdraw ?? 2;
    this.degradedRttMs = init.degradedRttMs ?? 250;
  }

  get size(): number {
    return this.relays.size;
  }

  endpoints(): RelayEndpoint[] {
    return [...this.relays.values()].map((status) => status.endpoint);
  }

  list(): RelayStatus[] {
    return [...this.relays.values()];
  }

  get(address: string): RelayStatus | undefined {
    return this.relays.get(address);
  }

  recordSuccess(
    address: string,
    result: { rttMs: number; allocations?: number; bandwidthBps?: number; nowMs: number },
  ): HealthChange | undefined {
    const current = this.relays.get(address);
    if (!current) return undefined;
    const next: RelayStatus = {
      endpoint: current.endpoint,
      health: result.rttMs > this.degradedRttMs ? 'degraded' : 'healthy',
      consecutiveFailures: 0,
      rttMs: result.rttMs,
      ...(result.allocations === undefined ? {} : { allocations: result.allocations }),
      ...(result.bandwidthBps === undefined ? {} : { bandwidthBps: result.bandwidthBps }),
      lastCheckedMs: result.nowMs,
    };
    return this.replace(current, next);
  }

  recordFailure(address: string, result: { error: string; nowMs: number }): HealthChange | undefined {
    const current = this.relays.get(address);
    if (!current) return undefined;
    const failures = current.consecutiveFailures + 1;
    // One failure may be a lost datagram: a relay in service stays, ranked lower; two withdraw it.
    const health: RelayHealthState =
      failures >= this.failuresToWithdraw
        ? 'unhealthy'
        : HANDED_OUT.has(current.health)
          ? 'degraded'
          : current.health;
    const { allocations: _unknownNow, bandwidthBps: _unknownRate, ...rest } = current;
    return this.replace(current, {
      ...rest,
      health,
      consecutiveFailures: failures,
      lastCheckedMs: result.nowMs,
      lastError: result.error,
    });
  }

  /**
   * Withdraws a relay at once, without waiting for checks to fail: its managed coturn exited. The
   * next passing check brings it back as usual.
   */
  markDown(address: string, result: { error: string; nowMs: number }): HealthChange | undefined {
    const current = this.relays.get(address);
    if (!current) return undefined;
    const { allocations: _unknownNow, bandwidthBps: _unknownRate, rttMs: _noRtt, ...rest } = current;
    return this.replace(current, {
      ...rest,
      health: 'unhealthy',
      consecutiveFailures: Math.max(current.consecutiveFailures, this.failuresToWithdraw),
      lastCheckedMs: result.nowMs,
      lastError: result.error,
    });
  }

  /** Relays that may be handed out, best first: health, then the hint, then load, then RTT. */
  rank(hint: RankHint = {}): RelayStatus[] {
    const score = (status: RelayStatus): number[] => [
      status.health === 'healthy' ? 0 : 1,
      hint.family === undefined || familyOf(status.endpoint.host) === hint.family ? 0 : 1,
      hint.transport === undefined || (RELAY_TRANSPORTS as readonly string[]).includes(hint.transport)
        ? 0
        : 1,
      status.allocations ?? Number.MAX_SAFE_INTEGER,
      status.rttMs ?? Number.MAX_SAFE_INTEGER,
    ];
    return this.list()
      .filter((status) => HANDED_OUT.has(status.health))
      .map((status) => ({ status, key: score(status) }))
      .sort((a, b) => compareKeys(a.key, b.key))
      .map(({ status }) => status);
  }

  private replace(current: RelayStatus, next: RelayStatus): HealthChange | undefined {
    this.relays.set(current.endpoint.address, next);
    return current.health === next.health ? undefined : { previous: current.health, status: next };
  }
}

export function isHandedOut(health: RelayHealthState): boolean {
  return HANDED_OUT.has(health);
}

function familyOf(host: string): 4 | 6 {
  return isIP(host) === 6 ? 6 : 4;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
