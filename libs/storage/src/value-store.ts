import type { ResourceId } from '@p2psip/identity';
import type { KindRecord } from './model';

/**
 * Where a peer keeps the values it holds (DESIGN.md §8): in memory, embedded on disk (lmdb, the
 * default) or MongoDB. The storage rules serialise writes per resource, so adapters need no
 * locking of their own, only atomic multi-record writes. Every adapter passes the shared
 * conformance suite (`@p2psip/persistence/testing`).
 */
export interface ValueStore {
  /** The record of one (resource, kind), if any. */
  read(resourceId: ResourceId, kind: number): Promise<KindRecord | undefined>;
  /** Every record at one resource. */
  readResource(resourceId: ResourceId): Promise<KindRecord[]>;
  /**
   * Writes all records at once (a Store is atomic across its kinds, RFC 6940 §7.4.1). A record
   * without values is deleted.
   */
  write(records: readonly KindRecord[]): Promise<void>;
  /**
   * Records whose Resource-ID lies in the ring arc (from, to] (wrapping past zero; from = to is
   * the whole ring), in ascending Resource-ID order from `from`. Used for migration and Find.
   */
  range(from: bigint, to: bigint): Promise<KindRecord[]>;
  /** Distinct Resource-IDs held (Probe's num_resources). */
  resourceCount(): Promise<number>;
  close(): Promise<void>;
}

/** True when `id` lies in the ring arc (from, to]; from = to is the whole ring. */
export function inArc(id: bigint, from: bigint, to: bigint): boolean {
  if (from === to) return true;
  return from < to ? id > from && id <= to : id > from || id <= to;
}
