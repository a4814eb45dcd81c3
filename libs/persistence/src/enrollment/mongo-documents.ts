import type { CertificateRecord, UserRecord } from '@p2psip/ca';
import { Binary, type Collection, type Db, MongoServerError } from 'mongodb';
import { copyCertificate, copyUser } from '@p2psip/ca';

// Documents keep the record field names, so operators read the same shapes in mongosh as in the
// API. MongoDB's own `_id` is left to the driver except where it is the natural unique key.

export type UserDocument = Omit<UserRecord, 'nodeIds'> & { nodeIds: string[] };

export interface CertificateDocument {
  serialNumber: string;
  userName: string;
  nodeIds: string[];
  der: Binary;
  issuedAtMs: number;
  notBeforeMs: number;
  notAfterMs: number;
  revokedAtMs?: number;
  revocationReason?: string;
}

/** One per assigned Node-ID; the unique `_id` is what makes Node-IDs unique across users. */
export interface NodeIdDocument {
  _id: string;
  userName: string;
}

/** `json` is canonical JSON text (see setting-json.ts), so compare-and-set is an equality filter. */
export interface SettingDocument {
  _id: string;
  json: string;
}

export interface EnrollmentCollections {
  readonly users: Collection<UserDocument>;
  readonly certificates: Collection<CertificateDocument>;
  readonly nodeIds: Collection<NodeIdDocument>;
  readonly settings: Collection<SettingDocument>;
}

export function enrollmentCollections(db: Db): EnrollmentCollections {
  return {
    users: db.collection<UserDocument>('users'),
    certificates: db.collection<CertificateDocument>('certificates'),
    nodeIds: db.collection<NodeIdDocument>('nodeIds'),
    settings: db.collection<SettingDocument>('settings'),
  };
}

/**
 * Unique indexes carry the contract's uniqueness rules; the others serve the listings, ordered by
 * serial within a user or Node-ID so a filtered page is one index range. Creating an index that
 * exists is a no-op, so this runs on every connect.
 */
export async function createEnrollmentIndexes(collections: EnrollmentCollections): Promise<void> {
  await Promise.all([
    collections.users.createIndex({ userName: 1 }, { unique: true, name: 'userName_unique' }),
    collections.certificates.createIndexes([
      { key: { serialNumber: 1 }, unique: true, name: 'serialNumber_unique' },
      { key: { userName: 1, serialNumber: 1 }, name: 'userName_serialNumber' },
      { key: { nodeIds: 1, serialNumber: 1 }, name: 'nodeIds_serialNumber' },
      { key: { revokedAtMs: 1 }, sparse: true, name: 'revokedAtMs_sparse' },
    ]),
  ]);
}

/** The driver's duplicate-key failure: a unique index refused the write. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

export function toUserDocument(user: UserRecord): UserDocument {
  return { ...copyUser(user), nodeIds: [...user.nodeIds] };
}

/** Picks the record's fields, dropping `_id` and anything else a document may carry. */
export function toUserRecord(document: UserDocument): UserRecord {
  return copyUser(document);
}

export function toCertificateDocument(record: CertificateRecord): CertificateDocument {
  const copy = copyCertificate(record);
  return { ...copy, nodeIds: [...copy.nodeIds], der: new Binary(copy.der) };
}

export function toCertificateRecord(document: CertificateDocument): CertificateRecord {
  return copyCertificate({ ...document, der: document.der.value() });
}
