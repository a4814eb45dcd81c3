import { idToBytes, resourceIdFromBytes } from '@p2psip/identity';
import type { SignerIdentity } from '@p2psip/overlay-config';
import { ByteReader, ByteWriter } from './bytes';
import { StorageError } from './errors';
import type { HeldValue, KindRecord, StoredItem } from './model';

// The on-disk form of a KindRecord for the embedded and MongoDB backends: compact and
// self-describing enough to refuse what it cannot read. Versioned so a later layout can coexist.

const FORMAT_VERSION = 1;
const MODEL_CODES = { SINGLE: 1, ARRAY: 2, DICTIONARY: 3 } as const;
const IDENTITY_CODES = { cert_hash: 1, cert_hash_node_id: 2, none: 3 } as const;

export function encodeKindRecord(record: KindRecord): Buffer {
  const w = new ByteWriter()
    .uint8(FORMAT_VERSION)
    .bytes(idToBytes(record.resourceId))
    .uint32(record.kind)
    .uint64(record.generation)
    .uint32(record.values.length);
  for (const value of record.values) writeHeldValue(w, value);
  return w.finish();
}

/** Throws StorageError('ENCODING') on anything it did not write. */
export function decodeKindRecord(bytes: Uint8Array): KindRecord {
  const r = new ByteReader(bytes);
  const version = r.uint8();
  if (version !== FORMAT_VERSION) throw new StorageError('ENCODING', `unknown record format ${version}`);
  const resourceId = resourceIdFromBytes(r.bytes(16));
  const kind = r.uint32();
  const generation = r.uint64();
  const count = r.uint32();
  const values: HeldValue[] = [];
  for (let i = 0; i < count; i++) values.push(readHeldValue(r));
  r.expectEnd();
  return { resourceId, kind, generation, values };
}

function writeHeldValue(w: ByteWriter, v: HeldValue): void {
  w.uint64(v.storageTimeMs)
    .uint32(v.lifetimeS)
    .uint64(BigInt(Math.max(0, Math.round(v.expiresAtMs))));
  writeItem(w, v.item);
  const { algorithm, identity, value } = v.signature;
  w.uint8(algorithm.hash).uint8(algorithm.signature).uint8(IDENTITY_CODES[identity.type]);
  if (identity.type !== 'none') w.uint8(identity.hashAlgorithm).vector8(identity.hash);
  w.vector16(value).vector16(v.certificate);
}

function readHeldValue(r: ByteReader): HeldValue {
  const storageTimeMs = r.uint64();
  const lifetimeS = r.uint32();
  const expiresAtMs = Number(r.uint64());
  const item = readItem(r);
  const algorithm = { hash: r.uint8(), signature: r.uint8() };
  const identity = readIdentity(r);
  const value = r.vector16();
  const certificate = r.vector16();
  return {
    storageTimeMs,
    lifetimeS,
    expiresAtMs,
    item,
    signature: { algorithm, identity, value },
    certificate,
  };
}

function writeItem(w: ByteWriter, item: StoredItem): void {
  w.uint8(MODEL_CODES[item.model]);
  if (item.model === 'ARRAY') w.uint32(item.index);
  if (item.model === 'DICTIONARY') w.vector16(item.key);
  w.uint8(item.exists ? 1 : 0).vector32(item.value);
}

function readItem(r: ByteReader): StoredItem {
  const model = r.uint8();
  if (model === MODEL_CODES.SINGLE) return { model: 'SINGLE', ...readDataValue(r) };
  if (model === MODEL_CODES.ARRAY) {
    const index = r.uint32();
    return { model: 'ARRAY', index, ...readDataValue(r) };
  }
  if (model === MODEL_CODES.DICTIONARY) {
    const key = r.vector16();
    return { model: 'DICTIONARY', key, ...readDataValue(r) };
  }
  throw new StorageError('ENCODING', `unknown data model code ${model}`);
}

function readDataValue(r: ByteReader): { exists: boolean; value: Buffer } {
  const exists = r.uint8() === 1;
  return { exists, value: r.vector32() };
}

function readIdentity(r: ByteReader): SignerIdentity {
  const code = r.uint8();
  if (code === IDENTITY_CODES.none) return { type: 'none' };
  const type =
    code === IDENTITY_CODES.cert_hash
      ? 'cert_hash'
      : code === IDENTITY_CODES.cert_hash_node_id
        ? 'cert_hash_node_id'
        : undefined;
  if (!type) throw new StorageError('ENCODING', `unknown signer identity code ${code}`);
  return { type, hashAlgorithm: r.uint8(), hash: r.vector8() };
}
