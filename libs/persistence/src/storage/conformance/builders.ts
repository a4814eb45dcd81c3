import type { StoreSuiteContext } from '../../conformance-harness';
import { RING_SIZE, type ResourceId, idToHex, resourceIdFromBigInt, resourceIdOf } from '@p2psip/identity';
import type { HeldValue, KindRecord, StoredItem, ValueStore } from '@p2psip/storage';
import { StorageError } from '@p2psip/storage';
import { createHash } from 'node:crypto';

/** What every conformance test gets: the store under test, and for durable adapters a reopen. */
export type SuiteContext = StoreSuiteContext<ValueStore>;

/** The last point of the ring, 2^128 - 1. */
export const TOP = RING_SIZE - 1n;
export const T0_MS = Date.UTC(2026, 0, 1);
const HOUR_S = 3600;
const SECOND_MS = 1000;
/** RFC 6940 / TLS codes: sha256 (4) and ecdsa (3). */
const SHA256 = 4;
const ECDSA = 3;

/** A Resource-ID at a chosen ring position (ring ends and neighbours are what ranges test). */
export function rid(position: bigint | number): ResourceId {
  return resourceIdFromBigInt(BigInt(position));
}

/** Deterministic filler bytes, so a failing test reproduces byte for byte. */
export function bytesOf(seed: string, length: number): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; chunks.length * 32 < length; i++)
    chunks.push(createHash('sha256').update(`${seed}/${i}`).digest());
  return Buffer.concat(chunks).subarray(0, length);
}

/**
 * A value shaped like a real signed one: an ECDSA-P256-SHA256 signature (DER `SEQUENCE` of two
 * integers, 70 bytes) naming the signer's certificate by SHA-256 cert_hash, and a DER-looking
 * certificate of a few hundred bytes. The store never verifies, so the bytes are filler.
 */
export function heldValue(seed: string, item: StoredItem, offsetMs = 0): HeldValue {
  const certificate = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0xa0]), bytesOf(`${seed}/cert`, 416)]);
  return {
    storageTimeMs: BigInt(T0_MS + offsetMs),
    lifetimeS: HOUR_S,
    expiresAtMs: T0_MS + offsetMs + HOUR_S * SECOND_MS,
    item,
    signature: {
      algorithm: { hash: SHA256, signature: ECDSA },
      identity: {
        type: 'cert_hash',
        hashAlgorithm: SHA256,
        hash: createHash('sha256').update(certificate).digest(),
      },
      value: Buffer.concat([
        Buffer.from([0x30, 0x44, 0x02, 0x20]),
        bytesOf(`${seed}/r`, 32),
        Buffer.from([0x02, 0x20]),
        bytesOf(`${seed}/s`, 32),
      ]),
    },
    certificate,
  };
}

export function singleRecord(
  resourceId: ResourceId,
  kind: number,
  text: string,
  generation = 1n,
): KindRecord {
  const item: StoredItem = { model: 'SINGLE', exists: true, value: Buffer.from(text) };
  return { resourceId, kind, generation, values: [heldValue(`${kind}/${text}`, item)] };
}

/** Entries `[index, text]`; text `undefined` is a removal marker (`exists = false`). */
export function arrayRecord(
  resourceId: ResourceId,
  kind: number,
  entries: readonly (readonly [number, string | undefined])[],
  generation = 1n,
): KindRecord {
  const values = entries.map(([index, text], i) =>
    heldValue(`${kind}/${index}`, { model: 'ARRAY', index, ...dataValue(text) }, i),
  );
  return { resourceId, kind, generation, values };
}

/** Entries `[key, text]` in ascending key order; text `undefined` is a removal marker. */
export function dictionaryRecord(
  resourceId: ResourceId,
  kind: number,
  entries: readonly (readonly [string, string | undefined])[],
  generation = 1n,
): KindRecord {
  const values = entries.map(([key, text], i) =>
    heldValue(`${kind}/${key}`, { model: 'DICTIONARY', key: Buffer.from(key), ...dataValue(text) }, i),
  );
  return { resourceId, kind, generation, values };
}

/** The write that deletes a (resource, kind): a record without values. */
export function deletion(resourceId: ResourceId, kind: number): KindRecord {
  return { resourceId, kind, generation: 0n, values: [] };
}

function dataValue(text: string | undefined): { exists: boolean; value: Buffer } {
  return text === undefined
    ? { exists: false, value: Buffer.alloc(0) }
    : { exists: true, value: Buffer.from(text) };
}

/**
 * A record as plain data (bytes as hex), so that `toEqual` compares content whatever byte type an
 * adapter hands back, and a failure prints something readable.
 */
export function view(record: KindRecord | undefined): unknown {
  if (record === undefined) return undefined;
  return {
    resourceId: idToHex(record.resourceId),
    kind: record.kind,
    generation: record.generation,
    values: record.values.map((value) => ({
      storageTimeMs: value.storageTimeMs,
      lifetimeS: value.lifetimeS,
      expiresAtMs: value.expiresAtMs,
      item: {
        ...value.item,
        value: hex(value.item.value),
        ...('key' in value.item ? { key: hex(value.item.key) } : {}),
      },
      signature: {
        algorithm: { ...value.signature.algorithm },
        identity:
          value.signature.identity.type === 'none'
            ? { type: 'none' }
            : { ...value.signature.identity, hash: hex(value.signature.identity.hash) },
        value: hex(value.signature.value),
      },
      certificate: hex(value.certificate),
    })),
  };
}

/** Records in a fixed order (resource, then kind), as views: for comparing unordered results. */
export function sortedViews(records: readonly KindRecord[]): unknown[] {
  return [...records].sort(compareSlots).map(view);
}

/** `<resource hex>/<kind>` per record, in the order given. */
export function slots(records: readonly KindRecord[]): string[] {
  return records.map((record) => `${idToHex(record.resourceId)}/${record.kind}`);
}

export function compareSlots(a: KindRecord, b: KindRecord): number {
  if (a.resourceId !== b.resourceId) return a.resourceId < b.resourceId ? -1 : 1;
  return a.kind - b.kind;
}

/** `count` distinct pseudo-random Resource-IDs, the way resource names hash onto the ring. */
export function spreadIds(count: number, seed: string): ResourceId[] {
  return Array.from({ length: count }, (_, i) => resourceIdOf(`${seed}-${i}@p2psip.test`));
}

/**
 * Asserts a StorageError with this code. `work` is a function so that an adapter that throws
 * synchronously and one that rejects are checked alike.
 */
export async function expectStorageError(work: () => Promise<unknown>, code: string): Promise<void> {
  const error = await (async () => work())().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect(error).toMatchObject({ code });
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
