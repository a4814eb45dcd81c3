import { type ResourceId, idToHex } from '@p2psip/identity';
import { type KindRecord, StorageError, type ValueStore, encodeKindRecord } from '@p2psip/storage';
import { entryCount } from '../enrollment/lmdb-layout';
import {
  type LmdbValueLayout,
  openLmdbValueLayout,
  parseRecordKey,
  recordKey,
  recordKeyBounds,
  resourceKey,
} from './lmdb-value-layout';
import { arcIntervals } from './ring-segments';
import { decodeStoredRecord } from './stored-record';
import {
  type ValueStoreComponents,
  type ValueStoreLogger,
  silentValueStoreLogger,
} from './value-store-logger';

export interface LmdbValueStoreInit {
  /** Directory of the lmdb environment (`data.mdb`, `lock.mdb`); created if missing. */
  readonly path: string;
  /**
   * Also wait until each write is flushed to the disk (fsync) before acknowledging it, so that it
   * survives power loss and OS crashes too, at the cost of write latency. Process crashes (kill -9)
   * never lose an acknowledged write, with or without this.
   * @default false
   */
  readonly flushBeforeAcknowledge?: boolean;
}

/**
 * The embedded default ValueStore: the values a peer holds, in one lmdb environment on local disk
 * (key layout in lmdb-value-layout.ts), so they survive a restart of the peer.
 *
 * - `write` runs in one lmdb child transaction: all its records land, or none (a child transaction
 *   rolls back when it throws; records are encoded before it starts).
 * - `range` is one key-range scan per interval of the arc (two when it wraps past zero).
 * - `resourceCount` is the entry count of the `resources` database, kept in the same transaction
 *   as the records, so it costs no scan.
 * - A stored record that does not decode (disk corruption, a foreign writer) never crashes the
 *   peer: `read`/`readResource` reject with StorageError `CORRUPT_RECORD`, `range` logs and skips
 *   it. Writing that (resource, kind) again replaces it.
 *
 * Durability is lmdb's default, as for the enrollment store: a write resolves once committed to the
 * data file, which outlives a `kill -9` of the process.
 */
export class LmdbValueStore implements ValueStore {
  readonly #db: LmdbValueLayout;
  readonly #flushBeforeAcknowledge: boolean;
  readonly #logger: ValueStoreLogger;
  /** Closes what the store holds: its own environment, or its share of a shared one. */
  readonly #release: () => Promise<void>;
  #closed = false;

  private constructor(
    layout: LmdbValueLayout,
    options: { flushBeforeAcknowledge?: boolean; release: () => Promise<void> },
    components: ValueStoreComponents,
  ) {
    this.#db = layout;
    this.#flushBeforeAcknowledge = options.flushBeforeAcknowledge ?? false;
    this.#logger = components.logger ?? silentValueStoreLogger;
    this.#release = options.release;
  }

  static open(init: LmdbValueStoreInit, components: ValueStoreComponents = {}): Promise<LmdbValueStore> {
    // A promise executor that throws rejects: lmdb's synchronous open errors become rejections.
    return new Promise((resolve) => {
      const layout = openLmdbValueLayout(init.path);
      const release = () => layout.root.close();
      resolve(new LmdbValueStore(layout, { ...init, release }, components));
    });
  }

  /** A store in an environment it shares (LmdbValueEnvironment); `release` runs on close. */
  static within(
    layout: LmdbValueLayout,
    release: () => Promise<void>,
    components: ValueStoreComponents = {},
  ): LmdbValueStore {
    return new LmdbValueStore(layout, { release }, components);
  }

  read(resourceId: ResourceId, kind: number): Promise<KindRecord | undefined> {
    return this.#reading(() => {
      const key = recordKey(resourceId, kind);
      const bytes = this.#db.records.get(key);
      return bytes === undefined ? undefined : decodeStored(key, bytes);
    });
  }

  /** In ascending Kind-ID order. */
  readResource(resourceId: ResourceId): Promise<KindRecord[]> {
    return this.#reading(() =>
      [...this.#db.records.getRange(resourceBounds(resourceId))].map(({ key, value }) =>
        decodeStored(key, value),
      ),
    );
  }

  async write(records: readonly KindRecord[]): Promise<void> {
    this.#check();
    // Encode first: a record that cannot be encoded fails the call before anything is written.
    const changes = records.map((record) => ({
      key: recordKey(record.resourceId, record.kind),
      resource: record.resourceId,
      bytes: record.values.length === 0 ? undefined : encodeKindRecord(record),
    }));
    await this.#db.root.childTransaction(() => {
      const touched = new Set<ResourceId>();
      for (const change of changes) {
        if (change.bytes === undefined) this.#db.records.removeSync(change.key);
        else this.#db.records.putSync(change.key, change.bytes);
        touched.add(change.resource);
      }
      for (const resourceId of touched) {
        const id = resourceKey(resourceId);
        if (this.#hasRecords(resourceId)) this.#db.resources.putSync(id, EMPTY);
        else this.#db.resources.removeSync(id);
      }
    });
    if (this.#flushBeforeAcknowledge) await this.#db.root.flushed;
  }

  /** Ascending Resource-ID from `from`, then ascending Kind-ID; corrupt records are logged and skipped. */
  range(from: bigint, to: bigint): Promise<KindRecord[]> {
    return this.#reading(() => {
      const records: KindRecord[] = [];
      for (const interval of arcIntervals(from, to)) {
        for (const { key, value } of this.#db.records.getRange(recordKeyBounds(interval))) {
          try {
            records.push(decodeStored(key, value));
          } catch (error) {
            const { resourceId, kind } = parseRecordKey(key);
            this.#logger.warn(
              { resourceId: idToHex(resourceId), kind, err: error },
              'skipped a stored record that does not decode',
            );
          }
        }
      }
      return records;
    });
  }

  resourceCount(): Promise<number> {
    return this.#reading(() => entryCount(this.#db.resources));
  }

  /**
   * Waits for pending writes, then closes the environment (a shared one once its last store
   * closes). Calls after this reject with `CLOSED`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#release();
  }

  /** Whether the resource has any record (inside the write transaction, which sees its own writes). */
  #hasRecords(resourceId: ResourceId): boolean {
    // (getKeysCount would ignore the limit and count every kind of the resource.)
    for (const _key of this.#db.records.getKeys({ ...resourceBounds(resourceId), limit: 1 })) return true;
    return false;
  }

  /** Reads are synchronous in lmdb; this turns them, and a closed store, into a settled promise. */
  #reading<T>(work: () => T): Promise<T> {
    return new Promise((resolve) => {
      this.#check();
      resolve(work());
    });
  }

  #check(): void {
    if (this.#closed) throw new StorageError('CLOSED', 'the value store is closed');
  }
}

function resourceBounds(resourceId: ResourceId): { start: Buffer; end?: Buffer } {
  return recordKeyBounds({ first: resourceId, last: resourceId });
}

const EMPTY = Buffer.alloc(0);

function decodeStored(key: Buffer, bytes: Buffer): KindRecord {
  return decodeStoredRecord(parseRecordKey(key), bytes);
}
