import type { NodeId } from '@p2psip/identity';
import type { OverlayMessage } from '@p2psip/overlay';
import type { overlayV1 } from '@p2psip/proto';

/**
 * Turns the core's messages into protobuf `Message`s and back. Decoding returns undefined for
 * anything malformed or unknown, so a bad frame is dropped at the edge and never reaches the core
 * half-built (the Link contract).
 */
export interface MessageCodec {
  /**
   * `peerLinkTo`: the message goes on a link between two peers to this Node-ID. Both ends of such
   * a link proved their Node-IDs with mutual TLS, and a peer does not check the signature of a
   * message that reaches it straight from its originator (ADR 0003 §7): a message this node
   * originates for that peer alone is therefore sent unsigned (ADR 0003 §12).
   */
  encode(message: OverlayMessage, peerLinkTo?: NodeId): overlayV1.Message;
  decode(message: overlayV1.Message): OverlayMessage | undefined;
}

/**
 * The wire form of a message a link sends, or undefined when it cannot be encoded (e.g. an unknown
 * body being forwarded): such a message is dropped and `onUnencodable` told; the link, and the
 * neighbour behind it, did nothing wrong.
 */
export function encodeOrDrop(
  codec: MessageCodec,
  message: OverlayMessage,
  onUnencodable?: () => void,
  peerLinkTo?: NodeId,
): overlayV1.Message | undefined {
  try {
    return codec.encode(message, peerLinkTo);
  } catch {
    onUnencodable?.();
    return undefined;
  }
}
