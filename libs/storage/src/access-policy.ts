import {
  type NodeId,
  type ResourceId,
  findNodeMultipleIndex,
  idToBytes,
  nodeIdFromBytes,
  resourceIdOf,
} from '@p2psip/identity';
import type { SignerInfo } from './certificate-trust';
import type { KindDefinition } from './kinds';
import type { StoredItem } from './model';

/**
 * Whether a signer may write an item at a resource under a kind's access policy (RFC 6940 §7.3,
 * RFC 7374 for NODE-ID-MATCH). A certificate may carry several Node-IDs; any of them qualifies
 * (we sign with cert_hash, which names the certificate, not one Node-ID).
 */
export function isAuthorized(
  kind: KindDefinition,
  resourceId: ResourceId,
  item: StoredItem,
  signer: SignerInfo,
): boolean {
  switch (kind.accessControl) {
    case 'USER-MATCH':
      return userMatches(signer, resourceId);
    case 'NODE-MATCH':
      return signer.nodeIds.some((id) => resourceIdOf(idToBytes(id)) === resourceId);
    case 'USER-NODE-MATCH':
      return (
        item.model === 'DICTIONARY' && userMatches(signer, resourceId) && keyIsSignerNode(item.key, signer)
      );
    case 'NODE-MULTIPLE':
      return signer.nodeIds.some(
        (id) => findNodeMultipleIndex(id, resourceId, kind.maxNodeMultiple ?? 0) !== undefined,
      );
    case 'NODE-ID-MATCH':
      // ReDiR (RFC 7374) also ties the resource to a tree node's interval; that check belongs to
      // the ReDiR usage, which is not built yet. The key binding is what storage can enforce.
      return item.model === 'DICTIONARY' && keyIsSignerNode(item.key, signer);
    default:
      return false;
  }
}

function userMatches(signer: SignerInfo, resourceId: ResourceId): boolean {
  return signer.userName !== undefined && resourceIdOf(signer.userName) === resourceId;
}

function keyIsSignerNode(key: Uint8Array, signer: SignerInfo): boolean {
  if (key.length !== 16) return false;
  const id: NodeId = nodeIdFromBytes(key);
  return signer.nodeIds.includes(id);
}
