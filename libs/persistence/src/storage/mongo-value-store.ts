import { type ResourceId, idToHex } from '@p2psip/identity';
import { type KindRecord, StorageError, type ValueStore } from '@p2psip/storage';
import type { AnyBulkWriteOperation, Collection, MongoClient } from 'mongodb';
import { DURABLE_WRITES, type MongoConnectInit, connectMongo } from '../mongo-connect';
import {
  type ValueDocument,
  createValueIndexes,
  fromValueDocument,
  toValueDocument,
  valueDocumentId,
} from './mongo-value-documents';
import { arcIntervals } from './ring-segments';
import {
  type ValueStoreComponents,
  type ValueStoreLogger,
  silentValueStoreLogger,
} from './value-store-logger';

/** The collection used when the settings name none. */
export const DEFAULT_VALUE_COLLECTION = 'values';

export interface MongoValueStoreInit {
  /** `mongodb://…` or `mongodb+srv://…` connection string. */
  readonly uri: string;
  /** @default the database named in `uri`, else `p2psip` */
  readonly database?: string;
  /**
   * The collection holding this store's values. Each peer needs its own (or its own database):
   * peers sharing one would see, count and migrate each other's values.
   * @default 'values'
   */
  readonly collection?: string;
  /**
   * How long connecting, and every later call, waits for a usable server before failing.
   * @default 5000 ms
   */
  readonly serverSelectionTimeoutMs?: number;
  /** Aborts connecting (the client is closed and the call rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * The ValueStore on MongoDB: one document per (resource, kind), see mongo-value-documents.ts.
 *
 * - `write` is one ordered bulkWrite (a replace with upsert per record, a delete for a record
 *   without values). On a replica set or sharded cluster it runs in a transaction, so it is atomic
 *   across all its records. A standalone server has no transactions: each record is then atomic
 *   on its own, and a failure part-way (server down mid-call) can leave the earlier records of the
 *   call written; a single-member replica set is enough to get all-or-nothing writes.
 * - `range` is one index scan over `resourceId` per interval of the arc (two when it wraps).
 * - `resourceCount` groups the `resourceId` index; its cost grows with the number of resources.
 * - Writes wait for `{ w: 'majority', journal: true }`, as in the enrollment store.
 * - A document whose record does not decode: `read`/`readResource` reject with StorageError
 *   `CORRUPT_RECORD`, `range` logs and skips it.
 */
export class MongoValueStore implements ValueStore {
  readonly #client: MongoClient;
  readonly #values: Collection<ValueDocument>;
  readonly #transactions: boolean;
  readonly #logger: ValueStoreLogger;
  #closed = false;

  private constructor(
    client: MongoClient,
    values: Collection<ValueDocument>,
    transactions: boolean,
    components: ValueStoreComponents,
  ) {
    this.#client = client;
    this.#values = values;
    this.#transactions = transactions;
    this.#logger = components.logger ?? silentValueStoreLogger;
  }

  /** Connects and creates the index (a no-op when it exists). */
  static async connect(
    init: MongoValueStoreInit,
    components: ValueStoreComponents = {},
  ): Promise<MongoValueStore> {
    const name = init.collection ?? DEFAULT_VALUE_COLLECTION;
    const connectInit: MongoConnectInit = {
      ...init,
      prepare: (db) => createValueIndexes(db.collection<ValueDocument>(name)),
    };
    const { client, db, transactions } = await connectMongo(connectInit);
    return new MongoValueStore(client, db.collection<ValueDocument>(name), transactions, components);
  }

  async read(resourceId: ResourceId, kind: number): Promise<KindRecord | undefined> {
    this.#check();
    const document = await this.#values.findOne({ _id: valueDocumentId(resourceId, kind) });
    return document === null ? undefined : fromValueDocument(document);
  }

  /** In ascending Kind-ID order. */
  async readResource(resourceId: ResourceId): Promise<KindRecord[]> {
    this.#check();
    const documents = await this.#values
      .find({ resourceId: idToHex(resourceId) })
      .sort({ resourceId: 1, kind: 1 })
      .toArray();
    return documents.map(fromValueDocument);
  }

  async write(records: readonly KindRecord[]): Promise<void> {
    this.#check();
    if (records.length === 0) return;
    // Built (and encoded) first: a record that cannot be encoded fails the call before any write.
    const operations = records.map(toOperation);
    if (!this.#transactions) {
      await this.#values.bulkWrite(operations, { ordered: true });
      return;
    }
    // withTransaction retries on transient errors; the operations are idempotent, so that is safe.
    await this.#client.withSession((session) =>
      session.withTransaction(() => this.#values.bulkWrite(operations, { ordered: true, session }), {
        writeConcern: DURABLE_WRITES,
      }),
    );
  }

  /** Ascending Resource-ID from `from`, then ascending Kind-ID; corrupt documents are logged and skipped. */
  async range(from: bigint, to: bigint): Promise<KindRecord[]> {
    this.#check();
    const records: KindRecord[] = [];
    for (const { first, last } of arcIntervals(from, to)) {
      const documents = await this.#values
        .find({ resourceId: { $gte: idToHex(first), $lte: idToHex(last) } })
        .sort({ resourceId: 1, kind: 1 })
        .toArray();
      for (const document of documents) {
        try {
          records.push(fromValueDocument(document));
        } catch (error) {
          this.#logger.warn(
            { _id: document._id, err: error },
            'skipped a stored record that does not decode',
          );
        }
      }
    }
    return records;
  }

  async resourceCount(): Promise<number> {
    this.#check();
    const [result] = await this.#values
      .aggregate<{ resources: number }>([
        { $sort: { resourceId: 1 } },
        { $group: { _id: '$resourceId' } },
        { $count: 'resources' },
      ])
      .toArray();
    return result?.resources ?? 0;
  }

  /** Closes the client. Calls after this reject with `CLOSED` (the driver would silently reconnect). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  #check(): void {
    if (this.#closed) throw new StorageError('CLOSED', 'the value store is closed');
  }
}

function toOperation(record: KindRecord): AnyBulkWriteOperation<ValueDocument> {
  if (record.values.length === 0) {
    return { deleteOne: { filter: { _id: valueDocumentId(record.resourceId, record.kind) } } };
  }
  const document = toValueDocument(record);
  return { replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } };
}
