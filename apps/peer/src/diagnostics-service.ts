import { idToBytes, idToHex, nodeIdFromBytes, type NodeId, resourceIdFromBytes } from '@p2psip/identity';
import { type OverlayNode, resourceDestination } from '@p2psip/overlay';
import { diagnosticsV1 } from '@p2psip/proto';
import { RpcError, type ServiceHandlers } from '@p2psip/rpc';
import type { OverlayStorage } from '@p2psip/storage';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** What the diagnostics service needs to know about the peer it describes. */
export interface DiagnosedPeer {
  readonly node: OverlayNode;
  readonly storage: OverlayStorage;
  readonly address: string;
  readonly overlay: string;
  readonly configurationSequence: () => number;
  readonly startedAtMs: number;
}

/**
 * Operators' view of one peer (DESIGN.md §5): routing state, path traces, stored data. Served on
 * the peer's own gRPC endpoint, over the same mutual TLS as its links.
 */
export function diagnosticsHandlers(
  peer: DiagnosedPeer,
): ServiceHandlers<typeof diagnosticsV1.DiagnosticsServiceService> {
  return {
    getNodeInfo: (request) => {
      checkNodeId(peer, request.nodeId);
      return Promise.resolve({ node: nodeInfo(peer) });
    },
    tracePath: async function* (request, context) {
      checkNodeId(peer, request.nodeId);
      if (request.destinationId.length !== 16)
        throw new RpcError('invalid-argument', 'BAD_ID', 'destination_id must be 16 bytes');
      const target = resourceIdFromBytes(request.destinationId);
      for await (const hop of peer.node.trace(target, { signal: context.signal })) {
        if (hop.index === 0) continue;
        yield {
          hop: {
            hop: hop.index,
            nodeId: idToBytes(hop.nodeId),
            address: hop.address ?? '',
            latencyMs: hop.latencyMs,
            responsible: hop.responsible,
          },
        };
      }
    },
    listStoredResources: async (request) => {
      checkNodeId(peer, request.nodeId);
      const offset = request.pageToken === '' ? 0 : Number(request.pageToken);
      if (!Number.isInteger(offset) || offset < 0)
        throw new RpcError('invalid-argument', 'BAD_PAGE_TOKEN', 'page_token is not one this peer issued');
      const size = Math.min(MAX_PAGE, request.pageSize === 0 ? DEFAULT_PAGE : request.pageSize);
      const held = (await peer.storage.held()).filter(
        (h) => request.kind === 0 || h.record.kind === request.kind,
      );
      const page = held.slice(offset, offset + size);
      return {
        resources: page.map(({ record, rank }) => ({
          resourceId: idToBytes(record.resourceId),
          kind: record.kind,
          replicaNumber: rank !== undefined && rank > 0 ? rank : 0,
          generationCounter: record.generation,
          valueCount: record.values.length,
          sizeBytes: BigInt(record.values.reduce((sum, v) => sum + v.item.value.length, 0)),
          expiresAtMs: BigInt(Math.max(0, ...record.values.map((v) => v.expiresAtMs))),
        })),
        nextPageToken: offset + size < held.length ? String(offset + size) : '',
      };
    },
    probeRoute: async (request, context) => {
      checkNodeId(peer, request.nodeId);
      if (request.destinationId.length !== 16)
        throw new RpcError('invalid-argument', 'BAD_ID', 'destination_id must be 16 bytes');
      const started = performance.now();
      const answer = await peer.node.request(
        resourceDestination(resourceIdFromBytes(request.destinationId)),
        { type: 'ping_req' },
        { signal: context.signal },
      );
      return {
        responsibleNodeId: idToBytes(answer.from),
        hops: answer.via.length,
        latencyMs: performance.now() - started,
      };
    },
    ping: (request, context) =>
      Promise.resolve({
        payload: request.payload,
        timeMs: BigInt(Date.now()),
        callerNodeIds: (context.peer?.nodeIds ?? []).map((id) => idToBytes(id)),
        callerUsername: context.peer?.userName ?? '',
      }),
  };
}

function checkNodeId(peer: DiagnosedPeer, requested: Uint8Array): void {
  if (requested.length === 0) return;
  let nodeId: NodeId;
  try {
    nodeId = nodeIdFromBytes(requested);
  } catch (cause) {
    throw new RpcError('invalid-argument', 'BAD_NODE_ID', 'node_id must be 16 bytes', { cause });
  }
  if (nodeId !== peer.node.nodeId)
    throw new RpcError('not-found', 'NO_SUCH_PEER', `this endpoint serves ${idToHex(peer.node.nodeId)}`);
}

function nodeInfo(peer: DiagnosedPeer): diagnosticsV1.NodeInfo {
  const { node } = peer;
  const range = node.responsibleRange();
  const { successors, predecessors } = node.neighbors();
  return {
    nodeId: idToBytes(node.nodeId),
    address: peer.address,
    overlayName: peer.overlay,
    configurationSequence: peer.configurationSequence(),
    uptimeS: Math.floor((Date.now() - peer.startedAtMs) / 1000),
    responsibleRangeStart: range ? idToBytes(range.from) : Buffer.alloc(0),
    responsibleRangeEnd: range ? idToBytes(range.to) : Buffer.alloc(0),
    predecessors: predecessors.map((id) => ({ nodeId: idToBytes(id), address: '' })),
    successors: successors.map((id) => ({ nodeId: idToBytes(id), address: '' })),
    fingers: node.fingers().map((id, index) => ({ index: index + 1, nodeId: idToBytes(id), address: '' })),
    storedResourceCount: node.stats().resources,
    connectionCount: node.stats().connections,
    joined: node.isJoined(),
  };
}
