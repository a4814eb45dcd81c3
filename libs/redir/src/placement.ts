import type { NodeId, ResourceId } from '@p2psip/identity';
import { RedirError } from './errors';
import { type RedirServiceProvider, decodeRedirRecord } from './record';
import { RedirTree, treeNodeResourceId } from './tree';

/**
 * Why a record may not sit at `resourceId` under the key `providerId`, or undefined when it may
 * (RFC 7374's NODE-ID-MATCH for exists = true values): H(namespace, level, node) is the
 * Resource-ID, and the provider's Node-ID lies in one of that tree node's intervals. The key being
 * the signer's Node-ID is the storage policy's part.
 */
export function redirPlacementProblem(
  resourceId: ResourceId,
  providerId: NodeId,
  record: RedirServiceProvider,
  branchingFactor: number,
): string | undefined {
  let tree: RedirTree;
  try {
    tree = new RedirTree({ namespace: record.namespace, branchingFactor });
  } catch (error) {
    return error instanceof RedirError ? error.message : String(error);
  }
  if (record.level > tree.deepestLevel || record.node >= branchingFactor ** record.level) {
    return `tree node (${record.level}, ${record.node}) is outside a tree of branching factor ${branchingFactor}`;
  }
  if (treeNodeResourceId(record.namespace, record.level, record.node) !== resourceId) {
    return `tree node (${record.level}, ${record.node}) of ${JSON.stringify(record.namespace)} is stored elsewhere`;
  }
  if (!tree.covers(record.level, record.node, providerId)) {
    return `the provider's Node-ID is outside tree node (${record.level}, ${record.node})`;
  }
  return undefined;
}

/** Decodes a REDIR value and checks its placement; a malformed value is a problem too. */
export function redirValueProblem(
  resourceId: ResourceId,
  providerId: NodeId,
  value: Uint8Array,
  branchingFactor: number,
): string | undefined {
  let record: RedirServiceProvider;
  try {
    record = decodeRedirRecord(value);
  } catch (error) {
    return error instanceof RedirError ? error.message : String(error);
  }
  return redirPlacementProblem(resourceId, providerId, record, branchingFactor);
}
