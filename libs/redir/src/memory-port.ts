import type { NodeId, ResourceId } from '@p2psip/identity';
import type { RedirEntry, RedirPort, RedirStoreRequest } from './port';

interface Held {
  readonly value: Uint8Array;
  readonly expiresAtMs: number;
}

/**
 * The overlay as ReDiR sees it, in memory: dictionaries of REDIR entries by Resource-ID, with
 * lifetimes on an injected clock, and counters of fetches and stores. For tests and the
 * simulator; it checks nothing (adapters over the overlay verify signatures and policies).
 */
export class MemoryRedirPort implements RedirPort {
  fetches = 0;
  stores = 0;
  private readonly nodes = new Map<ResourceId, Map<NodeId, Held>>();

  constructor(private readonly now: () => number = Date.now) {}

  fetchTreeNode(
    resourceId: ResourceId,
    options: { signal?: AbortSignal } = {},
  ): Promise<readonly RedirEntry[]> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason as Error);
    this.fetches++;
    return Promise.resolve(this.entriesAt(resourceId));
  }

  storeRecord(
    resourceId: ResourceId,
    request: RedirStoreRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason as Error);
    this.stores++;
    const node = this.nodes.get(resourceId) ?? new Map<NodeId, Held>();
    this.nodes.set(resourceId, node);
    if (request.value) {
      node.set(request.key, { value: request.value, expiresAtMs: this.now() + request.lifetimeS * 1000 });
    } else {
      node.delete(request.key);
    }
    return Promise.resolve();
  }

  /** Live entries of the tree node at `resourceId` (what a Fetch would return now). */
  entriesAt(resourceId: ResourceId): RedirEntry[] {
    const now = this.now();
    return [...(this.nodes.get(resourceId)?.entries() ?? [])]
      .filter(([, held]) => held.expiresAtMs > now)
      .map(([key, held]) => ({ key, value: held.value }));
  }

  /** Every Resource-ID holding a live entry. */
  resourceIds(): ResourceId[] {
    return [...this.nodes.keys()].filter((id) => this.entriesAt(id).length > 0);
  }

  resetCounters(): void {
    this.fetches = 0;
    this.stores = 0;
  }
}
