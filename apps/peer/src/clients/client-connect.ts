import type { ServerDuplexStream } from '@grpc/grpc-js';
import { type NodeId, type ReloadCertificate, idToHex, nodeIdFromBytes } from '@p2psip/identity';
import type { OverlayLogger, OverlayNode } from '@p2psip/overlay';
import { ClientFrameStream, GrpcLink, type MessageCodec, readFirstFrame } from '@p2psip/overlay-grpc';
import type { peerV1 } from '@p2psip/proto';
import { type CallContext, RpcError } from '@p2psip/rpc';
import type { RequestObserver } from '../request-metrics';
import { ClientRequestClock } from './client-request-clock';
import { ThinClientLink } from './thin-client-link';

/** What the Connect handler needs from the peer serving it. */
export interface ConnectingPeer {
  readonly node: OverlayNode;
  /** The same codec as the peer's links: client messages are signed and checked like any other. */
  readonly codec: MessageCodec;
  readonly logger: OverlayLogger;
  readonly isRevoked: (certificate: ReloadCertificate) => boolean;
  readonly attachmentInfo: (client: NodeId) => peerV1.AttachmentInfo;
  readonly clientRequests?: RequestObserver;
}

/** How long a client has to send its ClientHello. */
const HELLO_TIMEOUT_MS = 5000;

/**
 * ClientAccessService.Connect: the thin client's long-lived stream (DESIGN.md §5). After the
 * ClientHello (a Node-ID of the caller's certificate) and our AttachmentInfo, the stream is a link
 * in this peer's connection table, so messages whose destination list continues with the client's
 * Node-ID are handed down it; the call lasts as long as the link.
 */
export async function connectClient(
  peer: ConnectingPeer,
  call: ServerDuplexStream<peerV1.ClientFrame, peerV1.ClientFrame>,
  context: CallContext,
): Promise<void> {
  const caller = context.peer;
  if (!caller)
    throw new RpcError(
      'unauthenticated',
      'NO_NODE_CERTIFICATE',
      'a client certificate with a Node-ID is required',
    );
  if (peer.isRevoked(caller.certificate))
    throw new RpcError('forbidden', 'REVOKED', 'the certificate is revoked');
  const hello = await readClientHello(call, context, caller.nodeIds);
  const clientNodeId = hello.nodeId;
  const node = peer.node;
  if (clientNodeId === node.nodeId)
    throw new RpcError('forbidden', 'OWN_NODE_ID', 'a client cannot attach with the peer’s own Node-ID');
  call.write({
    kind: { $case: 'attachment', attachment: peer.attachmentInfo(clientNodeId) },
    acceptsBatches: true,
  });
  const closed = new Promise<void>((resolve) => {
    call.once('close', resolve);
    call.once('end', () => resolve());
    call.once('error', () => resolve());
    context.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const stream = new GrpcLink(
    clientNodeId,
    call.getPeer(),
    false,
    new ClientFrameStream(call, hello.acceptsBatches),
    peer.codec,
  );
  const clock = peer.clientRequests ? new ClientRequestClock(peer.clientRequests) : undefined;
  const link = new ThinClientLink(stream, caller.certificate, peer.logger, clock);
  // A client that re-attaches here (its old stream not yet noticed dead) replaces that stream:
  // the glare rule, made for two peers dialling each other, would keep the old one.
  node.connections.get(clientNodeId)?.close();
  node.accept(link);
  peer.logger.info({ client: idToHex(clientNodeId), address: call.getPeer() }, 'client attached');
  await closed;
  link.close();
  peer.logger.info({ client: idToHex(clientNodeId) }, 'client detached');
}

/** What the client's hello told us. */
interface ClientHelloFacts {
  readonly nodeId: NodeId;
  /** The client reads batch frames. */
  readonly acceptsBatches: boolean;
}

/**
 * The Node-ID the client's hello names, checked against its certificate. A function of its own so
 * that the decoded frame (views into a received chunk) is not a local of the handler, which stays
 * suspended for as long as the client is attached.
 */
async function readClientHello(
  call: ServerDuplexStream<peerV1.ClientFrame, peerV1.ClientFrame>,
  context: CallContext,
  certificateNodeIds: readonly NodeId[],
): Promise<ClientHelloFacts> {
  const first = await readFirstFrame<peerV1.ClientFrame>(call, HELLO_TIMEOUT_MS, context.signal).catch(
    (cause: unknown) => {
      throw new RpcError('invalid-argument', 'NO_HELLO', errorText(cause), { cause });
    },
  );
  if (first.kind?.$case !== 'hello')
    throw new RpcError('invalid-argument', 'NO_HELLO', 'the first frame must be a ClientHello');
  return {
    nodeId: helloNodeId(first.kind.hello.nodeId, certificateNodeIds),
    acceptsBatches: first.acceptsBatches,
  };
}

function helloNodeId(bytes: Uint8Array, certificateNodeIds: readonly NodeId[]): NodeId {
  let nodeId: NodeId;
  try {
    nodeId = nodeIdFromBytes(bytes);
  } catch (cause) {
    throw new RpcError('invalid-argument', 'BAD_NODE_ID', 'the hello’s node_id must be 16 bytes', { cause });
  }
  if (!certificateNodeIds.includes(nodeId))
    throw new RpcError(
      'forbidden',
      'NODE_ID_NOT_CERTIFIED',
      'the hello names a Node-ID the certificate does not carry',
    );
  return nodeId;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
