import type { NodeId, ResourceId } from '@p2psip/identity';
import type { Destination } from '@p2psip/overlay';
import type { RedirPort } from './port';
import { encodeRedirRecord } from './record';
import type { RedirTree, TreeNode } from './tree';
import { isExtreme, readTreeNode } from './tree-node';

/** What a registration reports, in order: each tree node it reads and each record it stores. */
export type RedirRegisterEvent =
  | {
      readonly type: 'fetched';
      readonly node: TreeNode;
      readonly providers: number;
      readonly ignored: number;
    }
  | { readonly type: 'stored'; readonly node: TreeNode };

export interface RedirRegisterInit {
  /** The provider's Node-ID: the dictionary key, and the signer of every stored record. */
  readonly providerId: NodeId;
  /** How to reach the provider. @default one node destination, its Node-ID */
  readonly destinations?: readonly Destination[];
  /** Seconds each record lives, counted from receipt. */
  readonly lifetimeS: number;
}

/**
 * Registers a provider in the tree (RFC 7374 §4.3). Upward walk: from the start level, read the
 * tree node for I(level, id), store the record there, and go up while the provider is the lowest
 * or highest of its interval, up to the root. Downward walk, unless it was alone in its interval at
 * the start level: read each deeper tree node, store where it is the lowest or highest of its
 * interval, and stop at the first level where it is alone (or at the deepest level).
 */
export async function* registerEvents(
  port: RedirPort,
  tree: RedirTree,
  init: RedirRegisterInit,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<RedirRegisterEvent> {
  const id = init.providerId;
  const destinations = init.destinations ?? [{ kind: 'node', id }];
  const store = async (node: TreeNode): Promise<void> => {
    const value = encodeRedirRecord({
      destinations,
      namespace: tree.namespace,
      level: node.level,
      node: node.node,
    });
    await port.storeRecord(node.resourceId, { key: id, value, lifetimeS: init.lifetimeS }, options);
  };
  /** The other providers of the tree node that share the provider's interval I(level, id). */
  const intervalMates = async function* (node: TreeNode): AsyncGenerator<RedirRegisterEvent, bigint[]> {
    const contents = await readTreeNode(port, tree, node, options);
    yield { type: 'fetched', node, providers: contents.providers.length, ignored: contents.ignored };
    const interval = tree.intervalOf(node.level, id);
    return contents.providers
      .filter((p) => p.id !== id && tree.intervalOf(node.level, p.id) === interval)
      .map((p) => p.id);
  };

  let aloneAtStart = false;
  for (let level = tree.startLevel; level >= 0; level--) {
    const node = tree.nodeFor(level, id);
    const mates = yield* intervalMates(node);
    if (level === tree.startLevel) aloneAtStart = mates.length === 0;
    await store(node);
    yield { type: 'stored', node };
    if (!isExtreme(id, mates)) break;
  }
  if (aloneAtStart) return;
  for (let level = tree.startLevel + 1; level <= tree.deepestLevel; level++) {
    const node = tree.nodeFor(level, id);
    const mates = yield* intervalMates(node);
    if (isExtreme(id, mates)) {
      await store(node);
      yield { type: 'stored', node };
    }
    if (mates.length === 0) break;
  }
}

/** The promise form of {@link registerEvents}: where the records went, and what it cost. */
export interface RedirRegistration {
  /** The tree nodes that now hold the provider's record. */
  readonly stored: readonly TreeNode[];
  readonly fetches: number;
}

export async function registerProvider(
  port: RedirPort,
  tree: RedirTree,
  init: RedirRegisterInit,
  options: { signal?: AbortSignal } = {},
): Promise<RedirRegistration> {
  const stored: TreeNode[] = [];
  let fetches = 0;
  for await (const event of registerEvents(port, tree, init, options)) {
    if (event.type === 'fetched') fetches++;
    else stored.push(event.node);
  }
  return { stored, fetches };
}

/**
 * Removes the provider's records (RFC 7374 §4.3: exists = false on leave) from the given tree
 * nodes; the removal lives as long as a record would, so no older copy outlives it on a replica.
 * Every node is tried; the first failure is thrown after the rest were attempted.
 */
export async function unregisterProvider(
  port: RedirPort,
  nodes: readonly { readonly resourceId: ResourceId }[],
  init: { readonly providerId: NodeId; readonly lifetimeS: number },
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const results = await Promise.allSettled(
    nodes.map((node) =>
      port.storeRecord(node.resourceId, { key: init.providerId, lifetimeS: init.lifetimeS }, options),
    ),
  );
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
