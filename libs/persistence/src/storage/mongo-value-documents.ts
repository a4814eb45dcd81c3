import { type ResourceId, idToHex, resourceIdFromHex } from '@p2psip/identity';
import { type KindRecord, StorageError, encodeKindRecord } from '@p2psip/storage';
import { Binary, type Collection, Decimal128 } from 'mongodb';
import { type RecordSlot, corruptRecord, decodeStoredRecord } from './stored-record';

/**
 * One document per (Resource-ID, Kind-ID). `record` (the `encodeKindRecord` bytes) is the only
 * authoritative field; the others exist for queries and for operators reading mongosh.
 */
export interface ValueDocument {
  /** 32 hex digits of the Resource-ID ‖ 8 of the Kind-ID: sorts in ring, then kind, order. */
  _id: string;
  /** 32 lower-case hex digits: text order is ring order, so an arc is an index range. */
  resourceId: string;
  kind: number;
  /** The generation counter; Decimal128 holds every uint64 exactly (a BSON Long is signed). */
  generation: Decimal128;
  record: Binary;
}

/** The index behind readResource, range and resourceCount. */
export async function createValueIndexes(values: Collection<ValueDocument>): Promise<void> {
  await values.createIndex({ resourceId: 1, kind: 1 }, { name: 'resourceId_kind' });
}

export function valueDocumentId(resourceId: ResourceId, kind: number): string {
  return `${idToHex(resourceId)}${kind.toString(16).padStart(8, '0')}`;
}

export function toValueDocument(record: KindRecord): ValueDocument {
  return {
    _id: valueDocumentId(record.resourceId, record.kind),
    resourceId: idToHex(record.resourceId),
    kind: record.kind,
    generation: Decimal128.fromString(record.generation.toString()),
    record: new Binary(encodeKindRecord(record)),
  };
}

/** Decodes `record`, checked against the slot the document's `_id` names. */
export function fromValueDocument(document: ValueDocument): KindRecord {
  const slot = documentSlot(document);
  const bytes: unknown = document.record;
  if (!(bytes instanceof Binary)) throw corruptRecord(slot, 'has no binary `record` field');
  return decodeStoredRecord(slot, bytes.value());
}

/** The (resource, kind) a document's `_id` names; CORRUPT_RECORD when it names none. */
export function documentSlot(document: Pick<ValueDocument, '_id'>): RecordSlot {
  const id: unknown = document._id;
  if (typeof id !== 'string' || !/^[0-9a-f]{40}$/.test(id)) {
    throw new StorageError(
      'CORRUPT_RECORD',
      `a stored value document has the malformed _id ${JSON.stringify(id)}`,
    );
  }
  return { resourceId: resourceIdFromHex(id.slice(0, 32)), kind: Number.parseInt(id.slice(32), 16) };
}
