import { idToBytes, nodeIdFromBytes, type NodeId } from '@p2psip/identity';
import { kindInfoFromProto } from '@p2psip/overlay-grpc';
import { bootstrapV1, peerV1 } from '@p2psip/proto';
import { type TlsIdentity, callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import { KindRegistry } from '@p2psip/storage';

/** A thin client's attachment: the peer that routes its requests into the overlay. */
export interface Attachment {
  readonly client: peerV1.ClientAccessServiceClient;
  readonly address: string;
  readonly peerNodeId: NodeId;
  readonly clientNodeId: NodeId;
  readonly overlay: string;
  readonly kinds: KindRegistry;
  close(): void;
}

export interface AttachInit {
  readonly identity: TlsIdentity & { readonly nodeIds: readonly NodeId[] };
  /** A peer's client access address, or a bootstrap service that names peers near the client. */
  readonly peer?: string;
  readonly bootstrap?: string;
  readonly timeoutMs: number;
}

/** Attaches to the given peer, or to the first answering admitting peer the bootstrap names. */
export async function attach(init: AttachInit): Promise<Attachment> {
  const credentials = clientCredentials(init.identity);
  const candidates = init.peer ? [init.peer] : await admittingPeers(init);
  const failures: string[] = [];
  for (const address of candidates) {
    const client = createClient(peerV1.ClientAccessServiceClient, address, credentials);
    try {
      const { attachment } = await callUnary(client, 'getAttachmentInfo', {}, { timeoutMs: init.timeoutMs });
      if (!attachment) throw new Error('the peer sent no attachment info');
      return {
        client,
        address,
        peerNodeId: nodeIdFromBytes(attachment.peerNodeId),
        clientNodeId: nodeIdFromBytes(attachment.clientNodeId),
        overlay: attachment.overlayName,
        kinds: new KindRegistry(attachment.kinds.map(kindInfoFromProto)),
        close: () => client.close(),
      };
    } catch (error) {
      client.close();
      failures.push(`${address}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw Object.assign(new Error(`no peer to attach to (${failures.join('; ') || 'none known'})`), {
    code: 'NO_ATTACHMENT',
  });
}

async function admittingPeers(init: AttachInit): Promise<string[]> {
  if (!init.bootstrap) throw Object.assign(new Error('give --peer or --bootstrap'), { code: 'USAGE' });
  const bootstrap = createClient(
    bootstrapV1.BootstrapServiceClient,
    init.bootstrap,
    clientCredentials(init.identity),
  );
  try {
    const nodeId = init.identity.nodeIds[0];
    const { peers } = await callUnary(
      bootstrap,
      'getAdmittingPeers',
      { nodeId: nodeId === undefined ? Buffer.alloc(16) : idToBytes(nodeId), count: 3 },
      { timeoutMs: init.timeoutMs },
    );
    return peers.map((peer) => peer.address);
  } finally {
    bootstrap.close();
  }
}
