import { type ResourceId, idToHex } from '@p2psip/identity';
import { type KindRecord, StorageError, decodeKindRecord } from '@p2psip/storage';

/** Where a stored record was found: the (resource, kind) its key or `_id` names. */
export interface RecordSlot {
  readonly resourceId: ResourceId;
  readonly kind: number;
}

/**
 * Decodes a stored record and checks that it belongs where it was found. Anything else is
 * StorageError `CORRUPT_RECORD`, naming the slot, with the decoding error as its cause.
 */
export function decodeStoredRecord(slot: RecordSlot, bytes: Uint8Array): KindRecord {
  let record: KindRecord;
  try {
    record = decodeKindRecord(bytes);
  } catch (error) {
    throw corruptRecord(slot, 'does not decode', error);
  }
  if (record.resourceId !== slot.resourceId || record.kind !== slot.kind) {
    throw corruptRecord(slot, `holds the record of ${idToHex(record.resourceId)} kind ${record.kind}`);
  }
  return record;
}

export function corruptRecord(slot: RecordSlot, what: string, cause?: unknown): StorageError {
  return new StorageError(
    'CORRUPT_RECORD',
    `the stored record of resource ${idToHex(slot.resourceId)} kind ${slot.kind} ${what}`,
    cause === undefined ? undefined : { cause },
  );
}
