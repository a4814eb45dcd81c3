import { createHash } from 'node:crypto';
import { InvalidIdError } from './errors';
import { ID_BYTES, type NodeId, type ResourceId, idToBytes, resourceIdFromBytes } from './ring-id';

/**
 * The i-th NODE-MULTIPLE position of a node: SHA-1(Node-ID bytes ‖ i as big-endian uint32),
 * top 128 bits (DESIGN.md §3). RFC 6940 leaves the encoding of i open; uint32 matches the
 * self-signed index convention and is fixed project-wide. TURN-SERVICE uses the same positions
 * with i = d, 1 ≤ d ≤ turn-density.
 */
export function nodeMultipleResourceId(nodeId: NodeId, index: number): ResourceId {
  if (!Number.isInteger(index) || index < 1 || index > 0xffffffff) {
    throw new InvalidIdError(`NODE-MULTIPLE index must be an integer in 1..2^32-1, got ${index}`);
  }
  const suffix = Buffer.alloc(4);
  suffix.writeUInt32BE(index);
  const digest = createHash('sha1').update(idToBytes(nodeId)).update(suffix).digest();
  return resourceIdFromBytes(digest.subarray(0, ID_BYTES));
}

/**
 * The index i ≤ maxIndex at which `resourceId` is a NODE-MULTIPLE position of `nodeId`, or
 * undefined. Verifiers iterate because i is not on the wire (RFC 6940 §7.3.1.4).
 */
export function findNodeMultipleIndex(
  nodeId: NodeId,
  resourceId: ResourceId,
  maxIndex: number,
): number | undefined {
  for (let i = 1; i <= maxIndex; i++) {
    if (nodeMultipleResourceId(nodeId, i) === resourceId) return i;
  }
  return undefined;
}
