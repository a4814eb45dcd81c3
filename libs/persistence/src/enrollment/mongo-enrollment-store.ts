import {
  type CertificateFilter,
  type CertificatePage,
  type CertificateRecord,
  CertificateNotFoundError,
  type EnrollmentStore,
  type PageRequest,
  SerialTakenError,
  type UserPage,
  type UserRecord,
  UserExistsError,
  UserNotFoundError,
} from '@p2psip/ca';
import type { Filter, MongoClient } from 'mongodb';
import { type MongoConnectInit, connectMongo } from '../mongo-connect';
import {
  type CertificateDocument,
  type EnrollmentCollections,
  createEnrollmentIndexes,
  enrollmentCollections,
  isDuplicateKeyError,
  toCertificateDocument,
  toCertificateRecord,
  toUserDocument,
  toUserRecord,
} from './mongo-documents';
import { assignNodeIdsInMongo } from './mongo-node-id-assignment';
import { cutPage, pageLimit } from '@p2psip/ca';
import { checkCertificate, checkNewUser } from '@p2psip/ca';
import { canonicalJson, parseSetting } from '@p2psip/ca';

export interface MongoEnrollmentStoreInit {
  /** `mongodb://…` or `mongodb+srv://…` connection string. */
  readonly uri: string;
  /** @default the database named in `uri`, else `p2psip` */
  readonly database?: string;
  /**
   * How long connecting, and every later call, waits for a usable server before failing.
   * @default 5000 ms
   */
  readonly serverSelectionTimeoutMs?: number;
  /** Aborts connecting (the client is closed and the call rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * The enrollment store on MongoDB, for deployments with several enrollment servers or existing
 * MongoDB operations. Writes wait for `{ w: 'majority', journal: true }`, so an acknowledged
 * certificate survives the loss of any minority of the replica set. Uniqueness rules are unique
 * indexes; single-document changes (revocation, compare-and-set) are conditional updates the server
 * applies atomically; assignNodeIds spans two collections (see mongo-node-id-assignment.ts).
 */
export class MongoEnrollmentStore implements EnrollmentStore {
  readonly #client: MongoClient;
  readonly #transactions: boolean;
  readonly #c: EnrollmentCollections;

  private constructor(client: MongoClient, collections: EnrollmentCollections, transactions: boolean) {
    this.#client = client;
    this.#c = collections;
    this.#transactions = transactions;
  }

  /** Connects and creates the indexes (a no-op when they exist). */
  static async connect(init: MongoEnrollmentStoreInit): Promise<MongoEnrollmentStore> {
    const connectInit: MongoConnectInit = {
      ...init,
      prepare: (db) => createEnrollmentIndexes(enrollmentCollections(db)),
    };
    const { client, db, transactions } = await connectMongo(connectInit);
    return new MongoEnrollmentStore(client, enrollmentCollections(db), transactions);
  }

  async addUser(user: UserRecord): Promise<void> {
    checkNewUser(user);
    try {
      await this.#c.users.insertOne(toUserDocument(user));
    } catch (error) {
      throw isDuplicateKeyError(error) ? new UserExistsError(user.userName) : error;
    }
  }

  async getUser(userName: string): Promise<UserRecord | undefined> {
    const document = await this.#c.users.findOne({ userName });
    return document === null ? undefined : toUserRecord(document);
  }

  /** One atomic update of only the fields the change names. */
  async updateUser(
    userName: string,
    change: { readonly passwordHash?: string; readonly disabled?: boolean; readonly atMs: number },
  ): Promise<UserRecord> {
    const document = await this.#c.users.findOneAndUpdate(
      { userName },
      {
        $set: {
          updatedAtMs: change.atMs,
          ...(change.passwordHash === undefined ? {} : { passwordHash: change.passwordHash }),
          ...(change.disabled === undefined ? {} : { disabled: change.disabled }),
        },
      },
      { returnDocument: 'after' },
    );
    if (document === null) throw new UserNotFoundError(userName);
    return toUserRecord(document);
  }

  async listUsers(page?: PageRequest): Promise<UserPage> {
    const limit = pageLimit(page);
    const query = page?.after === undefined ? {} : { userName: { $gt: page.after } };
    const documents = await this.#c.users
      .find(query)
      .sort({ userName: 1 })
      .limit(limit + 1)
      .toArray();
    const cut = cutPage(documents.map(toUserRecord), limit, (user) => user.userName);
    return { users: cut.items, next: cut.next };
  }

  assignNodeIds(userName: string, candidates: readonly string[], atMs: number): Promise<readonly string[]> {
    const context = { client: this.#client, collections: this.#c, transactions: this.#transactions };
    return assignNodeIdsInMongo(context, { userName, candidates, atMs });
  }

  async putCertificate(record: CertificateRecord): Promise<void> {
    checkCertificate(record);
    try {
      await this.#c.certificates.insertOne(toCertificateDocument(record));
    } catch (error) {
      throw isDuplicateKeyError(error) ? new SerialTakenError(record.serialNumber) : error;
    }
  }

  async getCertificate(serialNumber: string): Promise<CertificateRecord | undefined> {
    const document = await this.#c.certificates.findOne({ serialNumber });
    return document === null ? undefined : toCertificateRecord(document);
  }

  async listCertificates(filter: CertificateFilter = {}, page?: PageRequest): Promise<CertificatePage> {
    const limit = pageLimit(page);
    const documents = await this.#c.certificates
      .find(certificateQuery(filter, page?.after))
      .sort({ serialNumber: 1 })
      .limit(limit + 1)
      .toArray();
    const cut = cutPage(documents.map(toCertificateRecord), limit, (record) => record.serialNumber);
    return { certificates: cut.items, next: cut.next };
  }

  /** The filter on "not yet revoked" makes the first revocation win against concurrent ones. */
  async revokeCertificate(serialNumber: string, atMs: number, reason: string): Promise<CertificateRecord> {
    const revoked = await this.#c.certificates.findOneAndUpdate(
      { serialNumber, revokedAtMs: { $exists: false } },
      { $set: { revokedAtMs: atMs, revocationReason: reason } },
      { returnDocument: 'after' },
    );
    if (revoked !== null) return toCertificateRecord(revoked);
    const existing = await this.getCertificate(serialNumber);
    if (existing === undefined) throw new CertificateNotFoundError(serialNumber);
    return existing;
  }

  async getSetting<T>(key: string): Promise<T | undefined> {
    const document = await this.#c.settings.findOne({ _id: key });
    return document === null ? undefined : parseSetting<T>(document.json);
  }

  async putSetting<T>(key: string, value: T): Promise<void> {
    await this.#c.settings.updateOne(
      { _id: key },
      { $set: { json: canonicalJson(value) } },
      { upsert: true },
    );
  }

  /**
   * One conditional write, so the server serialises concurrent callers: an insert that the unique
   * `_id` refuses when the setting exists, or an update that matches only the expected JSON text.
   */
  async compareAndSetSetting<T>(key: string, expected: T | undefined, next: T): Promise<boolean> {
    const json = canonicalJson(next);
    if (expected !== undefined) {
      const result = await this.#c.settings.updateOne(
        { _id: key, json: canonicalJson(expected) },
        { $set: { json } },
      );
      return result.matchedCount === 1;
    }
    try {
      await this.#c.settings.insertOne({ _id: key, json });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async counts(): Promise<{
    readonly users: number;
    readonly certificates: number;
    readonly revoked: number;
  }> {
    const [users, certificates, revoked] = await Promise.all([
      this.#c.users.countDocuments(),
      this.#c.certificates.countDocuments(),
      this.#c.certificates.countDocuments({ revokedAtMs: { $exists: true } }),
    ]);
    return { users, certificates, revoked };
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}

function certificateQuery(filter: CertificateFilter, after: string | undefined): Filter<CertificateDocument> {
  return {
    ...(after === undefined ? {} : { serialNumber: { $gt: after } }),
    ...(filter.userName === undefined ? {} : { userName: filter.userName }),
    ...(filter.nodeId === undefined ? {} : { nodeIds: filter.nodeId }),
    ...(filter.revoked === undefined ? {} : { revokedAtMs: { $exists: filter.revoked } }),
  };
}
