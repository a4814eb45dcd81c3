import {
  type NodeId,
  type ResourceId,
  findNodeMultipleIndex,
  idToBytes,
  nodeIdFromBytes,
  resourceIdOf,
} from '@p2psip/identity';
import { DEFAULT_REDIR_BRANCHING_FACTOR } from '@p2psip/overlay-config';
import { redirValueProblem } from '@p2psip/redir';
import type { SignerInfo } from './certificate-trust';
import type { KindDefinition } from './kinds';
import type { StoredItem } from './model';

/** What the configuration document says beyond the kinds that some policies need. */
export interface AccessPolicySettings {
  /** `redir:branching-factor`: NODE-ID-MATCH checks a ReDiR record's tree node with it. @default 10 */
  readonly redirBranchingFactor?: number;
}

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
  settings: AccessPolicySettings = {},
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
      // ReDiR (RFC 7374): the key is the signer's Node-ID, and a record (a removal has none) names
      // the tree node stored here — H(namespace, level, node) is the Resource-ID — whose intervals
      // hold that Node-ID. A provider can only register where the tree puts it.
      return (
        item.model === 'DICTIONARY' &&
        keyIsSignerNode(item.key, signer) &&
        (!item.exists ||
          redirValueProblem(
            resourceId,
            nodeIdFromBytes(item.key),
            item.value,
            settings.redirBranchingFactor ?? DEFAULT_REDIR_BRANCHING_FACTOR,
          ) === undefined)
      );
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
