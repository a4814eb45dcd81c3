import type { ResourceId } from '@p2psip/identity';
import { StorageError } from './errors';
import type { KindRecord } from './model';
import { type ValueStore, inArc } from './value-store';

/** The in-memory ValueStore (tests, simulator, peers run without a state dir). */
export class MemoryValueStore implements ValueStore {
  private readonly resources = new Map<bigint, Map<number, KindRecord>>();
  private closed = false;

  read(resourceId: ResourceId, kind: number): Promise<KindRecord | undefined> {
    this.check();
    return Promise.resolve(this.resources.get(resourceId)?.get(kind));
  }

  readResource(resourceId: ResourceId): Promise<KindRecord[]> {
    this.check();
    return Promise.resolve([...(this.resources.get(resourceId)?.values() ?? [])]);
  }

  write(records: readonly KindRecord[]): Promise<void> {
    this.check();
    for (const record of records) {
      let kinds = this.resources.get(record.resourceId);
      if (record.values.length === 0) {
        kinds?.delete(record.kind);
        if (kinds?.size === 0) this.resources.delete(record.resourceId);
        continue;
      }
      if (!kinds) {
        kinds = new Map<number, KindRecord>();
        this.resources.set(record.resourceId, kinds);
      }
      kinds.set(record.kind, record);
    }
    return Promise.resolve();
  }

  range(from: bigint, to: bigint): Promise<KindRecord[]> {
    this.check();
    const ids = [...this.resources.keys()].filter((id) => inArc(id, from, to));
    // Ascending from `from`: ids after it first, then those past the wrap.
    ids.sort((a, b) => (a > from === b > from ? (a < b ? -1 : a > b ? 1 : 0) : a > from ? -1 : 1));
    return Promise.resolve(ids.flatMap((id) => [...this.resources.get(id)!.values()]));
  }

  resourceCount(): Promise<number> {
    this.check();
    return Promise.resolve(this.resources.size);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private check(): void {
    if (this.closed) throw new StorageError('CLOSED', 'the value store is closed');
  }
}
