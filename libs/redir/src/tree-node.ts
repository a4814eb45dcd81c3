import type { NodeId } from '@p2psip/identity';
import type { RedirFetchPort } from './port';
import { type RedirServiceProvider, decodeRedirRecord } from './record';
import type { RedirTree, TreeNode } from './tree';

/** A provider as a tree node lists it: its Node-ID (the dictionary key) and its record. */
export interface RedirProviderEntry {
  readonly id: NodeId;
  readonly record: RedirServiceProvider;
}

/** What one tree node holds: providers in ascending Node-ID order, and how many entries did not count. */
export interface TreeNodeContents {
  readonly node: TreeNode;
  readonly providers: readonly RedirProviderEntry[];
  /** Entries that are malformed or belong to another namespace, level, node or interval. */
  readonly ignored: number;
}

/**
 * Fetches a tree node and keeps the entries that belong there. Peers refuse misplaced records at
 * Store (NODE-ID-MATCH), so an ignored entry means a peer that does not check, or a foreign
 * namespace that hashes to the same place; either way it must not steer a walk.
 */
export async function readTreeNode(
  port: RedirFetchPort,
  tree: RedirTree,
  node: TreeNode,
  options: { signal?: AbortSignal } = {},
): Promise<TreeNodeContents> {
  const entries = await port.fetchTreeNode(node.resourceId, options);
  const byId = new Map<NodeId, RedirProviderEntry>();
  let ignored = 0;
  for (const entry of entries) {
    let record: RedirServiceProvider;
    try {
      record = decodeRedirRecord(entry.value);
    } catch {
      ignored++;
      continue;
    }
    const belongs =
      record.namespace === tree.namespace &&
      record.level === node.level &&
      record.node === node.node &&
      tree.covers(node.level, node.node, entry.key) &&
      !byId.has(entry.key);
    if (belongs) byId.set(entry.key, { id: entry.key, record });
    else ignored++;
  }
  const providers = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { node, providers, ignored };
}

/** Whether `id` is the lowest or the highest of the ids in `others` ∪ {id}; true when `others` is empty. */
export function isExtreme(id: bigint, others: readonly bigint[]): boolean {
  return others.every((other) => other > id) || others.every((other) => other < id);
}
