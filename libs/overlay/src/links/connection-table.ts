import type { NodeId } from '@p2psip/identity';
import type { Link } from '../components';

/**
 * Every live link by remote Node-ID (RELOAD's Connection Table): neighbours, fingers, links made
 * by Attach but not yet in the routing table, and the bootstrap link of a joining node.
 *
 * Two nodes that dial each other at the same moment end up with two links. Both ends keep the one
 * dialled by the smaller Node-ID (the Attach glare rule, RFC 6940 §6.5.1.2), so they agree
 * without talking, and the other is closed.
 */
export class ConnectionTable {
  private readonly links = new Map<NodeId, Link>();

  constructor(private readonly self: NodeId) {}

  get(id: NodeId): Link | undefined {
    return this.links.get(id);
  }

  has(id: NodeId): boolean {
    return this.links.has(id);
  }

  get size(): number {
    return this.links.size;
  }

  values(): IterableIterator<Link> {
    return this.links.values();
  }

  /** Any link, for a node that has no routing table yet (its bootstrap link). */
  any(): Link | undefined {
    return this.links.values().next().value;
  }

  /** Adds `link`; returns the link that lost a glare (to be closed by the caller), if any. */
  add(link: Link): Link | undefined {
    const existing = this.links.get(link.remoteNodeId);
    if (!existing) {
      this.links.set(link.remoteNodeId, link);
      return undefined;
    }
    if (existing === link) return undefined;
    if (this.dialler(link) < this.dialler(existing)) {
      this.links.set(link.remoteNodeId, link);
      return existing;
    }
    return link;
  }

  /** Removes `link` if it is the current link to its remote; true if it was. */
  remove(link: Link): boolean {
    if (this.links.get(link.remoteNodeId) !== link) return false;
    this.links.delete(link.remoteNodeId);
    return true;
  }

  clear(): Link[] {
    const all = [...this.links.values()];
    this.links.clear();
    return all;
  }

  private dialler(link: Link): NodeId {
    return link.outbound ? this.self : link.remoteNodeId;
  }
}
