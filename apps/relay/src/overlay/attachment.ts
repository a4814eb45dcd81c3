import { idToBytes, type NodeId } from '@p2psip/identity';
import { bootstrapV1, peerV1 } from '@p2psip/proto';
import { type TlsIdentity, callUnary, clientCredentials, createClient } from '@p2psip/rpc';

/** A peer's client access service that routes the relay's stores into the overlay. */
export interface PeerAttachment {
  readonly client: peerV1.ClientAccessServiceClient;
  readonly address: string;
  close(): void;
}

/**
 * Attaches like a thin client: the given peer, or the admitting peers a bootstrap service names
 * for our Node-ID, first one that answers GetAttachmentInfo.
 */
export async function attachToPeer(init: {
  identity: TlsIdentity;
  nodeId: NodeId;
  peer?: string;
  bootstraps: readonly string[];
  timeoutMs: number;
}): Promise<PeerAttachment> {
  const credentials = clientCredentials(init.identity);
  const candidates = init.peer ? [init.peer] : await admittingPeers(init);
  const failures: string[] = [];
  for (const address of candidates) {
    const client = createClient(peerV1.ClientAccessServiceClient, address, credentials);
    try {
      await callUnary(client, 'getAttachmentInfo', {}, { timeoutMs: init.timeoutMs });
      return { client, address, close: () => client.close() };
    } catch (error) {
      client.close();
      failures.push(`${address}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no peer to attach to (${failures.join('; ') || 'none known'})`);
}

async function admittingPeers(init: {
  identity: TlsIdentity;
  nodeId: NodeId;
  bootstraps: readonly string[];
  timeoutMs: number;
}): Promise<string[]> {
  for (const address of init.bootstraps) {
    const bootstrap = createClient(
      bootstrapV1.BootstrapServiceClient,
      address,
      clientCredentials(init.identity),
    );
    try {
      const { peers } = await callUnary(
        bootstrap,
        'getAdmittingPeers',
        { nodeId: idToBytes(init.nodeId), count: 3 },
        { timeoutMs: init.timeoutMs },
      );
      if (peers.length > 0) return peers.map((peer) => peer.address);
    } catch {
      // the next bootstrap instance may answer
    } finally {
      bootstrap.close();
    }
  }
  return [];
}
