import { ID_BYTES, type ResourceId, RING_SIZE, idToBytes, resourceIdFromBytes } from '@p2psip/identity';
import { type Database, type RootDatabase, open } from 'lmdb';
import type { IdInterval } from './ring-segments';

const KIND_BYTES = 4;
/** Resource-ID (16 bytes, big-endian) ‖ Kind-ID (uint32, big-endian). */
export const RECORD_KEY_BYTES = ID_BYTES + KIND_BYTES;

/**
 * The value store's key layout: one lmdb environment with two named databases.
 *
 * - `records`: Resource-ID ‖ Kind-ID → `encodeKindRecord` bytes. Both parts are big-endian, so
 *   lmdb's byte order of the keys is ring order, then kind order: the records of one resource are
 *   one key range, and a ring arc is one (or, wrapping past zero, two) key ranges.
 * - `resources`: Resource-ID → empty, one entry per resource that has at least one record. Written
 *   in the same transaction as `records`, so its entry count (constant time from lmdb's page
 *   statistics) is always the number of distinct Resource-IDs held, also after a crash.
 */
export interface LmdbValueLayout {
  readonly root: RootDatabase;
  readonly records: Database<Buffer, Buffer>;
  readonly resources: Database<Buffer, Buffer>;
}

/** Opens (creating if missing) the environment in directory `path`. */
export function openLmdbValueLayout(path: string): LmdbValueLayout {
  // noSubdir false: `path` is always a directory (data.mdb + lock.mdb), whatever its name looks like.
  const root = open({ path, noSubdir: false });
  return {
    root,
    records: root.openDB<Buffer, Buffer>({ name: 'records', keyEncoding: 'binary', encoding: 'binary' }),
    resources: root.openDB<Buffer, Buffer>({
      name: 'resources',
      keyEncoding: 'binary',
      encoding: 'binary',
    }),
  };
}

/**
 * The same two databases for one of several stores sharing an environment (one per virtual peer
 * of a process, ADR 0004): named `records:<name>` and `resources:<name>`.
 */
export function lmdbValueLayoutIn(root: RootDatabase, name: string): LmdbValueLayout {
  return {
    root,
    records: root.openDB<Buffer, Buffer>({
      name: `records:${name}`,
      keyEncoding: 'binary',
      encoding: 'binary',
    }),
    resources: root.openDB<Buffer, Buffer>({
      name: `resources:${name}`,
      keyEncoding: 'binary',
      encoding: 'binary',
    }),
  };
}

export function recordKey(resourceId: ResourceId, kind: number): Buffer {
  const key = Buffer.alloc(RECORD_KEY_BYTES);
  idToBytes(resourceId).copy(key, 0);
  key.writeUInt32BE(kind, ID_BYTES);
  return key;
}

export function resourceKey(resourceId: ResourceId): Buffer {
  return idToBytes(resourceId);
}

/** The Resource-ID and Kind-ID a `records` key names. */
export function parseRecordKey(key: Buffer): { resourceId: ResourceId; kind: number } {
  return {
    resourceId: resourceIdFromBytes(key.subarray(0, ID_BYTES)),
    kind: key.readUInt32BE(ID_BYTES),
  };
}

/**
 * getRange bounds covering every record whose Resource-ID lies in `interval`: from the first key of
 * `first` up to (excluding) the first key of `last + 1`; open-ended at the top of the ring.
 */
export function recordKeyBounds(interval: IdInterval): { start: Buffer; end?: Buffer } {
  const start = Buffer.concat([idToBytes(interval.first), Buffer.alloc(KIND_BYTES)]);
  if (interval.last + 1n === RING_SIZE) return { start };
  return { start, end: Buffer.concat([idToBytes(interval.last + 1n), Buffer.alloc(KIND_BYTES)]) };
}
