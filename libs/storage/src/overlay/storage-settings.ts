import { ErrorCode, ReloadError } from '@p2psip/overlay';

/** How a peer keeps its values replicated; every field has a default. */
export interface StorageSettings {
  /** Replicas beyond the responsible peer's own copy, on its next successors (RFC 6940 §10.7). @default 2 */
  readonly replicas: number;
  /**
   * A peer that became a successor recently gets no new replicas before this, ms: a successor
   * lost to a transient failure comes back without a copy storm (RFC 6940 §10.7). @default 30 s
   */
  readonly replicaHoldDownMs: number;
  /** Period of the replication, hand-off and expiry pass, ms (jittered ±25 %). @default 10 s */
  readonly maintenanceIntervalMs: number;
  /** Delay of the extra pass after a topology change, ms: lets a burst of Updates settle. @default 1 s */
  readonly topologySettleMs: number;
  /** Deadline of one copy to another peer, ms. @default 5 s */
  readonly copyTimeoutMs: number;
  /**
   * How often replicas are copied again although they confirmed the current version, ms: a copy
   * lost without the owner noticing (a replaced disk) comes back within this. @default 5 min
   */
  readonly resyncIntervalMs: number;
}

export const DEFAULT_STORAGE_SETTINGS: StorageSettings = {
  replicas: 2,
  replicaHoldDownMs: 30_000,
  maintenanceIntervalMs: 10_000,
  topologySettleMs: 1_000,
  copyTimeoutMs: 5_000,
  resyncIntervalMs: 5 * 60_000,
};

export function resolveStorageSettings(partial?: Partial<StorageSettings>): StorageSettings {
  const s = { ...DEFAULT_STORAGE_SETTINGS, ...partial };
  if (!Number.isInteger(s.replicas) || s.replicas < 0 || s.replicas > 16) {
    throw new RangeError('replicas must be an integer in 0..16');
  }
  for (const key of [
    'replicaHoldDownMs',
    'maintenanceIntervalMs',
    'topologySettleMs',
    'copyTimeoutMs',
  ] as const) {
    if (!(s[key] >= 0)) throw new RangeError(`${key} must be ≥ 0`);
  }
  return s;
}

/** The refusal a peer gives for a resource it is not responsible for. */
export function notResponsible(what: string): ReloadError {
  return new ReloadError(ErrorCode.NotFound, `this peer is not responsible for the resource of this ${what}`);
}
