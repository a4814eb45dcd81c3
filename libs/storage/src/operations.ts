import type { NodeId, ResourceId } from '@p2psip/identity';
import type { StoredItem, StoredValue } from './model';

/** Values of one kind in a Store (StoreKindData, RFC 6940 §7.4.1.1). */
export interface StoreKindData {
  readonly kind: number;
  /** 0 = don't care; otherwise must equal the current counter. */
  readonly generation: bigint;
  readonly values: readonly StoredValue[];
}

/** Per-kind result of a Store (StoreKindResponse). */
export interface StoreKindResult {
  readonly kind: number;
  readonly generation: bigint;
  /** Node-IDs of the peers that took a replica. */
  readonly replicas: readonly NodeId[];
}

export interface FetchKindResult {
  readonly kind: number;
  readonly generation: bigint;
  /** Empty when the requester's generation equals the current one. */
  readonly values: readonly StoredValue[];
}

/** MetaData (RFC 6940 §7.4.3): a value described instead of sent. */
export interface StoredMetaData {
  readonly storageTimeMs: bigint;
  /** Seconds left on the peer that answered. */
  readonly lifetimeS: number;
  /** The item's model and slot; `value` empty, `valueLength` and `hash` describe it. */
  readonly item: StoredItem;
  readonly valueLength: number;
  /** TLS HashAlgorithm of `hash` (sha256 = 4). */
  readonly hashAlgorithm: number;
  readonly hash: Uint8Array;
}

export interface StatKindResult {
  readonly kind: number;
  readonly generation: bigint;
  readonly values: readonly StoredMetaData[];
  /**
   * Our extension: when the answering peer is responsible, the peers that confirmed holding its
   * current copy as replicas (empty otherwise), so operators can see the replica count.
   */
  readonly replicas: readonly NodeId[];
}

/** Per-kind result of a Find: the closest Resource-ID held for that kind, if any. */
export interface FindKindResult {
  readonly kind: number;
  readonly closest: ResourceId | undefined;
}
