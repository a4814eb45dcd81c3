import { createHash } from 'node:crypto';
import { idToBytes, type ResourceId } from '@p2psip/identity';
import { encodeSignerIdentity, type SignerIdentity } from '@p2psip/overlay-config';
import { ByteWriter } from './bytes';
import type { DataValue, StoredItem } from './model';

// RELOAD's binary encodings of stored data (RFC 6940 §7.2), kept even though our wire is protobuf:
// signatures cover these bytes, so they verify the same under a later binary-wire adapter.

/** DataValue: `exists:uint8, value<0..2^32-1>`. */
function writeDataValue(w: ByteWriter, value: DataValue): ByteWriter {
  return w.uint8(value.exists ? 1 : 0).vector32(value.value);
}

/**
 * StoredDataValue of an item. `zeroIndex` writes array indices as 0, as the signature input
 * requires (RFC 6940 §7.1): an appended value is signed before the storing peer picks its index.
 */
export function encodeStoredDataValue(item: StoredItem, zeroIndex = false): Buffer {
  const w = new ByteWriter();
  if (item.model === 'ARRAY') w.uint32(zeroIndex ? 0 : item.index);
  if (item.model === 'DICTIONARY') w.vector16(item.key);
  return writeDataValue(w, item).finish();
}

/**
 * What a stored value's signature covers (RFC 6940 §7.1; DESIGN.md §4): Resource-ID (16 raw
 * bytes) ‖ Kind-ID (uint32) ‖ storage_time (uint64) ‖ StoredDataValue (array index zeroed) ‖
 * SignerIdentity.
 */
export function valueSignatureInput(
  resourceId: ResourceId,
  kind: number,
  storageTimeMs: bigint,
  item: StoredItem,
  identity: SignerIdentity,
): Buffer {
  return new ByteWriter()
    .bytes(idToBytes(resourceId))
    .uint32(kind)
    .uint64(storageTimeMs)
    .bytes(encodeStoredDataValue(item, true))
    .bytes(encodeSignerIdentity(identity))
    .finish();
}

/** Stat's hash_value (RFC 6940 §7.4.3): SHA-256 over the value with its 4 length bytes. */
export function valueHash(value: Uint8Array): Buffer {
  return createHash('sha256').update(new ByteWriter().vector32(value).finish()).digest();
}
