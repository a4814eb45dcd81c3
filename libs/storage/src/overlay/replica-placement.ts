import type { NodeId } from '@p2psip/identity';
import { inArc } from '../value-store';

/**
 * Where a resource belongs as far as this peer can tell from its neighbour lists: its owner (the
 * first node at or after it on the ring) and this peer's rank behind that owner — 0 = this peer
 * owns it, k = this peer is the owner's k-th successor (replica k when k ≤ replicas), negative =
 * the owner lies after this peer. Undefined when the resource is outside the known ring segment.
 */
export interface Placement {
  readonly owner: NodeId;
  readonly rank: number;
}

export function placementOf(
  resourceId: bigint,
  self: NodeId,
  predecessors: readonly NodeId[],
  successors: readonly NodeId[],
): Placement | undefined {
  // The known segment in ring order: furthest predecessor … self … furthest successor.
  const segment: NodeId[] = [];
  let wrapped = false;
  for (const id of [...[...predecessors].reverse(), self, ...successors]) {
    if (segment.includes(id)) wrapped = true;
    else segment.push(id);
  }
  const me = segment.indexOf(self);
  if (wrapped || segment.length === 1) {
    // The lists meet around the ring: every node is known, so ownership is exact everywhere.
    const ring = [...segment].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const owner = ring.find((id) => id >= resourceId) ?? ring[0];
    const n = ring.length;
    const rank = (ring.indexOf(self) - ring.indexOf(owner) + n) % n;
    return { owner, rank };
  }
  for (let j = 1; j < segment.length; j++) {
    if (inArc(resourceId, segment[j - 1], segment[j])) return { owner: segment[j], rank: me - j };
  }
  return undefined;
}
