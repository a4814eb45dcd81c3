import { type NodeId, idToBytes, idToHex, nodeIdFromBytes } from '@p2psip/identity';
import { kindInfoFromProto } from '@p2psip/overlay-grpc';
import { bootstrapV1, peerV1 } from '@p2psip/proto';
import { type TlsIdentity, callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import { KindRegistry } from '@p2psip/storage';

/** A thin client's attachment: the peer whose client access service routes its requests. */
export interface Attachment {
  readonly client: peerV1.ClientAccessServiceClient;
  readonly address: string;
  readonly peerNodeId: NodeId;
  readonly clientNodeId: NodeId;
  /** The overlay name the peer reports (check it against your own certificate's). */
  readonly overlay: string;
  /** The kinds of the overlay's configuration, with their data models and policies. */
  readonly kinds: KindRegistry;
  /** The sequence number of the peer's configuration document. */
  readonly configurationSequence: number;
  /**
   * The TLS handshake checked that the peer's certificate holds `peerNodeId` (known beforehand from
   * a bootstrap service), so what arrives on this connection from the peer itself is the peer's.
   */
  readonly peerAuthenticated: boolean;
  close(): void;
}

export interface AttachInit {
  /** The client's enrolled identity (mutual TLS); its first Node-ID asks for nearby peers. */
  readonly identity: TlsIdentity;
  readonly nodeId: NodeId;
  /** A peer's address: attach there and nowhere else. */
  readonly peer?: string;
  /** That peer's Node-ID, when known: the TLS handshake then checks the peer's certificate for it. */
  readonly peerNodeId?: NodeId;
  /** Bootstrap services that name admitting peers for the client's Node-ID, tried in turn. */
  readonly bootstraps?: readonly string[];
  /** Deadline of each call. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Attaches to the given peer, or to the first answering peer a bootstrap service names for the
 * client's Node-ID (DESIGN.md §5). Fails with code NO_ATTACHMENT, naming why each candidate failed.
 */
export async function attach(init: AttachInit): Promise<Attachment> {
  const candidates: Candidate[] = init.peer
    ? [{ address: init.peer, ...(init.peerNodeId === undefined ? {} : { nodeId: init.peerNodeId }) }]
    : await admittingPeers(init);
  const failures: string[] = [];
  for (const { address, nodeId: expectedNodeId } of candidates) {
    const credentials = clientCredentials(
      init.identity,
      expectedNodeId === undefined ? {} : { expectedNodeId },
    );
    const client = createClient(peerV1.ClientAccessServiceClient, address, credentials);
    try {
      const { attachment } = await callUnary(
        client,
        'getAttachmentInfo',
        {},
        { timeoutMs: init.timeoutMs, ...(init.signal ? { signal: init.signal } : {}) },
      );
      if (!attachment) throw new Error('the peer sent no attachment info');
      const peerNodeId = nodeIdFromBytes(attachment.peerNodeId);
      // Several virtual peers may share a certificate's Node-IDs; the one answering must be the one asked.
      if (expectedNodeId !== undefined && peerNodeId !== expectedNodeId) {
        throw new Error(`the peer is ${idToHex(peerNodeId)}, not ${idToHex(expectedNodeId)}`);
      }
      return {
        client,
        address,
        peerNodeId,
        // The peer names the certificate's first Node-ID; a device may speak as another of them.
        clientNodeId: init.nodeId,
        overlay: attachment.overlayName,
        kinds: new KindRegistry(attachment.kinds.map(kindInfoFromProto)),
        configurationSequence: attachment.configurationSequence,
        peerAuthenticated: expectedNodeId !== undefined,
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

interface Candidate {
  readonly address: string;
  readonly nodeId?: NodeId;
}

async function admittingPeers(init: AttachInit): Promise<Candidate[]> {
  const bootstraps = init.bootstraps ?? [];
  if (bootstraps.length === 0) {
    throw Object.assign(new Error('give a peer or a bootstrap service to attach through'), { code: 'USAGE' });
  }
  for (const address of bootstraps) {
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
        { timeoutMs: init.timeoutMs, ...(init.signal ? { signal: init.signal } : {}) },
      );
      if (peers.length > 0) return peers.map(candidateOf);
    } catch {
      // The next bootstrap instance may answer; none answering is reported by the caller's attach.
    } finally {
      bootstrap.close();
    }
  }
  return [];
}

/** A bootstrap's peer entry; a malformed Node-ID leaves the TLS check to the CA alone. */
function candidateOf(peer: bootstrapV1.PeerInfo): Candidate {
  try {
    return { address: peer.address, nodeId: nodeIdFromBytes(peer.nodeId) };
  } catch {
    return { address: peer.address };
  }
}
