import { type NodeId, idToBytes, idToHex, nodeIdFromBytes } from '@p2psip/identity';
import { bootstrapV1 } from '@p2psip/proto';
import { type CallContext, RpcError, type ServiceHandlers } from '@p2psip/rpc';
import type { ConfigurationCache } from '../configuration-cache';
import type { PeerEntry, PeerRegistry } from '../registry/peer-registry';

export interface BootstrapServiceDeps {
  readonly registry: PeerRegistry;
  readonly configuration: ConfigurationCache;
  /** How long a registration lasts without a refresh, seconds (told to registering peers). */
  readonly registrationLifetimeS: number;
  /** Called when a peer registers, so the prober starts watching it. */
  readonly onRegistered?: (nodeId: NodeId) => void;
  readonly onUnregistered?: (nodeId: NodeId) => void;
}

const MAX_ANSWER = 64;
// A whole ring fits in one ListPeers answer for diagnostics (`p2psip diag ring`).
const MAX_LIST = 1000;
const ADDRESS = /^[^\s:]+:\d{1,5}$/;

export function bootstrapServiceHandlers(
  deps: BootstrapServiceDeps,
): ServiceHandlers<typeof bootstrapV1.BootstrapServiceService> {
  const { registry } = deps;
  return {
    getConfig: () => {
      const { configuration, document } = deps.configuration.get();
      return Promise.resolve({ document, sequence: configuration.sequence });
    },
    getAdmittingPeers: (request) => {
      const nodeId = readNodeId(request.nodeId);
      const count = Math.min(Math.max(request.count, 1), MAX_ANSWER);
      return Promise.resolve({ peers: registry.admittingPeers(nodeId, count).map(toPeerInfo) });
    },
    listPeers: (request) =>
      Promise.resolve({
        peers: registry.sample(Math.min(Math.max(request.sample, 1), MAX_LIST)).map(toPeerInfo),
      }),
    registerPeer: (request, context) => {
      const peer = request.peer;
      if (!peer) throw new RpcError('invalid-argument', 'PEER_MISSING', 'RegisterPeer needs the peer');
      const nodeId = ownNodeId(readNodeId(peer.nodeId), context);
      if (!ADDRESS.test(peer.address))
        throw new RpcError(
          'invalid-argument',
          'BAD_ADDRESS',
          `address must be host:port, got ${JSON.stringify(peer.address.slice(0, 80))}`,
        );
      if (!registry.upsert(nodeId, peer.address, peer.uptimeS))
        throw new RpcError('exhausted', 'REGISTRY_FULL', 'the bootstrap registry is full');
      deps.onRegistered?.(nodeId);
      return Promise.resolve({ lifetimeS: deps.registrationLifetimeS });
    },
    unregisterPeer: (request, context) => {
      const nodeId = ownNodeId(readNodeId(request.nodeId), context);
      registry.remove(nodeId);
      deps.onUnregistered?.(nodeId);
      return Promise.resolve({});
    },
  };
}

function readNodeId(bytes: Uint8Array): NodeId {
  try {
    return nodeIdFromBytes(bytes);
  } catch (cause) {
    throw new RpcError('invalid-argument', 'BAD_NODE_ID', 'node_id must be 16 bytes', { cause });
  }
}

/** A peer may only (un)register a Node-ID its own certificate carries (DESIGN.md §4). */
function ownNodeId(nodeId: NodeId, context: CallContext): NodeId {
  if (!context.peer?.nodeIds.includes(nodeId)) {
    throw new RpcError(
      'forbidden',
      'NOT_YOUR_NODE_ID',
      `Node-ID ${idToHex(nodeId)} is not in the caller's certificate`,
    );
  }
  return nodeId;
}

function toPeerInfo(peer: PeerEntry): bootstrapV1.PeerInfo {
  return {
    nodeId: idToBytes(peer.nodeId),
    address: peer.address,
    uptimeS: peer.uptimeS,
    lastSeenMs: BigInt(peer.lastSeenMs),
  };
}
