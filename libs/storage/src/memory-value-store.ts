import type { ResourceId } from '@p2psip/identity';
import { StorageError } from './errors';
import type { KindRecord } from './model';
import { type ValueStore, inArc } from './value-store';

/** The in-memory ValueStore (tests, simulator, peers run without a state dir). */
export class MemoryValueStore implements ValueStore {
  private readonly resources = new Map<bigint, Map<number, KindRecord>>();
  private closed = false;

  read(resourceId: ResourceId, kind: number): Promise<KindRecord | undefined> {
    return this.run(() => this.resources.get(resourceId)?.get(kind));
  }

  readResource(resourceId: ResourceId): Promise<KindRecord[]> {
    return this.run(() => [...(this.resources.get(resourceId)?.values() ?? [])]);
  }

  write(records: readonly KindRecord[]): Promise<void> {
    return this.run(() => {
      for (const record of records) this.writeOne(record);
    });
  }

  range(from: bigint, to: bigint): Promise<KindRecord[]> {
    return this.run(() => {
      const ids = [...this.resources.keys()].filter((id) => inArc(id, from, to));
      // Ascending from `from`: ids after it first, then those past the wrap.
      ids.sort((a, b) => (a > from === b > from ? (a < b ? -1 : a > b ? 1 : 0) : a > from ? -1 : 1));
      return ids.flatMap((id) => [...(this.resources.get(id)?.values() ?? [])]);
    });
  }

  resourceCount(): Promise<number> {
    return this.run(() => this.resources.size);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private writeOne(record: KindRecord): void {
    let kinds = this.resources.get(record.resourceId);
    if (record.values.length === 0) {
      kinds?.delete(record.kind);
      if (kinds?.size === 0) this.resources.delete(record.resourceId);
      return;
    }
    if (!kinds) {
      kinds = new Map<number, KindRecord>();
      this.resources.set(record.resourceId, kinds);
    }
    kinds.set(record.kind, record);
  }

  /** A closed store rejects (like the on-disk adapters) rather than throwing synchronously. */
  private run<T>(work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError('CLOSED', 'the value store is closed'));
    return Promise.resolve(work());
  }
}
