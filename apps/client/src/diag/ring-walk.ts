import { type NodeId, compareIds, idToHex, nodeIdFromBytes } from '@p2psip/identity';
import { bootstrapV1, diagnosticsV1 } from '@p2psip/proto';
import { type TlsIdentity, callUnary, clientCredentials, createClient } from '@p2psip/rpc';

export interface RingNode {
  readonly nodeId: string;
  readonly address: string;
  readonly successor: string | null;
  readonly predecessor: string | null;
  /** Why this node's links disagree with the ring (absent when they agree). */
  readonly problem?: string;
}

export interface RingReport {
  readonly peers: number;
  readonly consistent: boolean;
  readonly nodes: readonly RingNode[];
}

/**
 * Walks the ring: every live peer the bootstrap service knows is asked for its neighbours, and
 * each successor/predecessor link is compared with the ring the sorted Node-IDs make. The ring is
 * consistent when every peer answers and every link matches.
 */
export async function walkRing(init: {
  bootstrap: string;
  identity: TlsIdentity;
  timeoutMs: number;
}): Promise<RingReport> {
  const credentials = clientCredentials(init.identity);
  const bootstrap = createClient(bootstrapV1.BootstrapServiceClient, init.bootstrap, credentials);
  let listed: bootstrapV1.PeerInfo[];
  try {
    listed = (await callUnary(bootstrap, 'listPeers', { sample: 1000 }, { timeoutMs: init.timeoutMs })).peers;
  } finally {
    bootstrap.close();
  }
  const peers = listed
    .map((peer) => ({ nodeId: nodeIdFromBytes(peer.nodeId), address: peer.address }))
    .sort((a, b) => compareIds(a.nodeId, b.nodeId));
  const infos = await Promise.all(
    peers.map((peer) => nodeInfo(peer.nodeId, peer.address, credentials, init.timeoutMs)),
  );
  const nodes = peers.map((peer, i): RingNode => {
    const info = infos[i];
    const expectedSuccessor = peers[(i + 1) % peers.length]?.nodeId;
    const expectedPredecessor = peers[(i - 1 + peers.length) % peers.length]?.nodeId;
    const successor = info && 'successor' in info ? info.successor : undefined;
    const predecessor = info && 'predecessor' in info ? info.predecessor : undefined;
    const problem =
      !info || 'error' in info
        ? `did not answer: ${info?.error ?? 'no answer'}`
        : peers.length > 1 && successor !== expectedSuccessor
          ? `successor should be ${idToHex(expectedSuccessor)}`
          : peers.length > 1 && predecessor !== expectedPredecessor
            ? `predecessor should be ${idToHex(expectedPredecessor)}`
            : undefined;
    return {
      nodeId: idToHex(peer.nodeId),
      address: peer.address,
      successor: successor === undefined ? null : idToHex(successor),
      predecessor: predecessor === undefined ? null : idToHex(predecessor),
      ...(problem ? { problem } : {}),
    };
  });
  return { peers: nodes.length, consistent: nodes.length > 0 && nodes.every((node) => !node.problem), nodes };
}

async function nodeInfo(
  nodeId: NodeId,
  address: string,
  credentials: ReturnType<typeof clientCredentials>,
  timeoutMs: number,
): Promise<{ successor?: NodeId; predecessor?: NodeId } | { error: string }> {
  const client = createClient(diagnosticsV1.DiagnosticsServiceClient, address, credentials);
  try {
    const { node } = await callUnary(
      client,
      'getNodeInfo',
      { nodeId: Buffer.from(idToHex(nodeId), 'hex') },
      { timeoutMs },
    );
    const successor = node?.successors[0]?.nodeId;
    const predecessor = node?.predecessors[0]?.nodeId;
    return {
      ...(successor && successor.length === 16 ? { successor: nodeIdFromBytes(successor) } : {}),
      ...(predecessor && predecessor.length === 16 ? { predecessor: nodeIdFromBytes(predecessor) } : {}),
    };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    client.close();
  }
}
