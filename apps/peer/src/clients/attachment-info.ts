import { type NodeId, idToBytes } from '@p2psip/identity';
import type { OverlayNode } from '@p2psip/overlay';
import { encodeDestination, kindInfoToProto } from '@p2psip/overlay-grpc';
import type { peerV1 } from '@p2psip/proto';
import type { KindRegistry } from '@p2psip/storage';

/** What a client needs to know about its attachment peer (GetAttachmentInfo, first Connect frame). */
export function attachmentInfo(
  peer: {
    readonly node: OverlayNode;
    readonly kinds: KindRegistry;
    readonly overlay: string;
    readonly overlayHash: number;
    readonly configurationSequence: () => number;
  },
  client: NodeId,
): peerV1.AttachmentInfo {
  return {
    peerNodeId: idToBytes(peer.node.nodeId),
    clientNodeId: idToBytes(client),
    overlayName: peer.overlay,
    overlay: peer.overlayHash,
    configurationSequence: peer.configurationSequence(),
    // Relay-peer routing: the overlay reaches the peer, the peer hands the message down the stream.
    destinationList: [
      encodeDestination({ kind: 'node', id: peer.node.nodeId }),
      encodeDestination({ kind: 'node', id: client }),
    ],
    kinds: peer.kinds.all().map(kindInfoToProto),
  };
}
