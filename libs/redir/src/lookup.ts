import { type RingId, clockwiseDistance } from '@p2psip/identity';
import type { RedirFetchPort } from './port';
import type { RedirTree, TreeNode } from './tree';
import { type RedirProviderEntry, type TreeNodeContents, readTreeNode } from './tree-node';

/** What a lookup reports, in order: each tree node it reads, then one `found` or `not-found`. */
export type RedirLookupEvent =
  | {
      readonly type: 'fetched';
      readonly node: TreeNode;
      readonly providers: number;
      readonly ignored: number;
      /** Read from the lookup cache instead of the overlay. */
      readonly cached: boolean;
    }
  | {
      readonly type: 'found';
      readonly provider: RedirProviderEntry;
      /**
       * The level whose tree node decided the answer; undefined when the walk turned back to a
       * level it had read and the answer is the closest successor among everything read.
       */
      readonly level: number | undefined;
      /** No provider at or after the key: the lowest one, going round the ring. */
      readonly wrapped: boolean;
    }
  | { readonly type: 'not-found' };

/**
 * Tree nodes already read, by Resource-ID. One lookup reads each node at most once; passing the same
 * cache to successive lookups (the next provider after this one) saves their fetches too.
 */
export class RedirLookupCache {
  private readonly nodes = new Map<bigint, TreeNodeContents>();

  get(node: TreeNode): TreeNodeContents | undefined {
    return this.nodes.get(node.resourceId);
  }

  set(contents: TreeNodeContents): void {
    this.nodes.set(contents.node.resourceId, contents);
  }

  /** Every provider read so far. */
  providers(): RedirProviderEntry[] {
    return [...this.nodes.values()].flatMap((contents) => contents.providers);
  }
}

export interface RedirLookupOptions {
  readonly signal?: AbortSignal;
  /** @default a new cache for this lookup */
  readonly cache?: RedirLookupCache;
}

/**
 * Finds the provider whose Node-ID is the closest successor of `key` (RFC 7374 §4.4): read the
 * tree node for I(level, key) from the start level; no provider at or after the key in that node
 * → one level up; the key between two providers of its own interval → one level down; otherwise
 * the walk ends. The root without a successor ends it too (the ring wraps to its lowest provider).
 * O(1) fetches on average, at most one per level.
 *
 * The answer is the closest successor among every provider the walk read. In a settled tree that
 * is RFC 7374's answer (the deciding node's successor); while registrations settle, a deeper node
 * may still lack a provider that a shallower node listed, and this keeps the answer exact. A tree in
 * flux could also send the walk back to a level it read: it ends there, with the same rule.
 */
export async function* lookupEvents(
  port: RedirFetchPort,
  tree: RedirTree,
  key: RingId,
  options: RedirLookupOptions = {},
): AsyncGenerator<RedirLookupEvent> {
  const cache = options.cache ?? new RedirLookupCache();
  const visited = new Set<number>();
  /** Every provider this lookup read: the answer is the closest successor among them. */
  const read: RedirProviderEntry[] = [];
  const k = BigInt(key);
  let level = tree.startLevel;
  for (;;) {
    visited.add(level);
    const node = tree.nodeFor(level, key);
    const cached = cache.get(node);
    const contents = cached ?? (await readTreeNode(port, tree, node, { signal: options.signal }));
    if (!cached) cache.set(contents);
    read.push(...contents.providers);
    yield {
      type: 'fetched',
      node,
      providers: contents.providers.length,
      ignored: contents.ignored,
      cached: cached !== undefined,
    };
    const { providers } = contents;
    const successor = providers.find((p) => p.id >= k);
    let next: number | undefined;
    if (successor === undefined) next = level > 0 ? level - 1 : undefined;
    else if (successor.id !== k && level < tree.deepestLevel && isSandwiched(tree, level, k, providers))
      next = level + 1;
    // Done, or the walk would go back to a level it read (a tree in flux): answer from what was read.
    if (next === undefined || visited.has(next)) {
      yield answer(read, k, next === undefined ? level : undefined);
      return;
    }
    level = next;
  }
}

/** The promise form of {@link lookupEvents}: the provider (if any), and what it cost. */
export interface RedirLookupResult {
  readonly provider?: RedirProviderEntry;
  readonly wrapped: boolean;
  /** Tree nodes fetched from the overlay (cache hits not counted). */
  readonly fetches: number;
  /** Levels read, in order. */
  readonly levels: readonly number[];
}

export async function lookupProvider(
  port: RedirFetchPort,
  tree: RedirTree,
  key: RingId,
  options: RedirLookupOptions = {},
): Promise<RedirLookupResult> {
  let fetches = 0;
  const levels: number[] = [];
  for await (const event of lookupEvents(port, tree, key, options)) {
    if (event.type === 'fetched') {
      levels.push(event.node.level);
      if (!event.cached) fetches++;
    } else if (event.type === 'found') {
      return { provider: event.provider, wrapped: event.wrapped, fetches, levels };
    }
  }
  return { wrapped: false, fetches, levels };
}

/** Whether the key lies strictly between two providers of its own interval I(level, key). */
function isSandwiched(
  tree: RedirTree,
  level: number,
  key: bigint,
  providers: readonly RedirProviderEntry[],
): boolean {
  const interval = tree.intervalOf(level, key);
  const mates = providers.filter((p) => tree.intervalOf(level, p.id) === interval);
  return mates.some((p) => p.id < key) && mates.some((p) => p.id > key);
}

/**
 * The closest successor of the key among the providers read, going round the ring. In a settled
 * tree it is the deciding node's successor (or the root's lowest provider); while registrations
 * are still settling, a provider read on the way may be closer than what the last node lists.
 */
function answer(
  read: readonly RedirProviderEntry[],
  key: bigint,
  level: number | undefined,
): RedirLookupEvent {
  let best: RedirProviderEntry | undefined;
  for (const provider of read) {
    if (!best || clockwiseDistance(key, provider.id) < clockwiseDistance(key, best.id)) best = provider;
  }
  return best ? { type: 'found', provider: best, level, wrapped: best.id < key } : { type: 'not-found' };
}
