import { type Database, type RootDatabase, open } from 'lmdb';

/** A certificate as lmdb holds it: msgpack keeps `der` as binary when it is a Buffer. */
export interface StoredCertificate {
  readonly serialNumber: string;
  readonly userName: string;
  readonly nodeIds: readonly string[];
  readonly der: Buffer;
  readonly issuedAtMs: number;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  readonly revokedAtMs?: number;
  readonly revocationReason?: string;
}

export interface StoredUser {
  readonly userName: string;
  readonly passwordHash: string;
  readonly disabled: boolean;
  readonly nodeIds: readonly string[];
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** `[user name or Node-ID, serial]`: one entry per certificate in a secondary index. */
export type IndexKey = [string, string];

/**
 * The enrollment store's key layout: one lmdb environment, one named database per kind of record.
 * Keys are the record ids as text, so lmdb's key order is the listing order (UTF-8 byte order) and
 * a page is one key range. Secondary indexes hold `true` and exist so that filtered listings and
 * counts read only what they return instead of scanning every certificate.
 */
export interface LmdbLayout {
  readonly root: RootDatabase;
  /** user name → user */
  readonly users: Database<StoredUser, string>;
  /** Node-ID → user name: what makes Node-IDs unique across users. */
  readonly nodeIds: Database<string, string>;
  /** serial → certificate */
  readonly certificates: Database<StoredCertificate, string>;
  /** [user name, serial] → true */
  readonly certificatesByUser: Database<true, IndexKey>;
  /** [Node-ID, serial] → true, one entry per Node-ID the certificate carries */
  readonly certificatesByNodeId: Database<true, IndexKey>;
  /** serial → true for revoked certificates; its size is the revoked count */
  readonly revoked: Database<true, string>;
  /** key → canonical JSON text (see setting-json.ts), readable with lmdb's own tools */
  readonly settings: Database<string, string>;
}

/** Opens (creating if missing) the environment in directory `path` and its named databases. */
export function openLmdbLayout(path: string): LmdbLayout {
  // noSubdir false: `path` is always a directory (data.mdb + lock.mdb), whatever its name looks like.
  // Durability stays lmdb's default; see LmdbEnrollmentStore for why that covers process crashes.
  const root = open({ path, noSubdir: false });
  return {
    root,
    users: root.openDB<StoredUser, string>({ name: 'users' }),
    nodeIds: root.openDB<string, string>({ name: 'node-ids', encoding: 'string' }),
    certificates: root.openDB<StoredCertificate, string>({ name: 'certificates' }),
    certificatesByUser: root.openDB<true, IndexKey>({ name: 'certificates-by-user' }),
    certificatesByNodeId: root.openDB<true, IndexKey>({ name: 'certificates-by-node-id' }),
    revoked: root.openDB<true, string>({ name: 'revoked-certificates' }),
    settings: root.openDB<string, string>({ name: 'settings', encoding: 'string' }),
  };
}

/** Entries in a database, from lmdb's page statistics (constant time, unlike counting a range). */
export function entryCount(db: { getStats(): object }): number {
  return (db.getStats() as { entryCount: number }).entryCount;
}
