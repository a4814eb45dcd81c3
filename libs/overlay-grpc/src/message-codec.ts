import type { OverlayMessage } from '@p2psip/overlay';
import type { overlayV1 } from '@p2psip/proto';

/**
 * Turns the core's messages into protobuf `Message`s and back. Decoding returns undefined for
 * anything malformed or unknown, so a bad frame is dropped at the edge and never reaches the core
 * half-built (the Link contract).
 */
export interface MessageCodec {
  encode(message: OverlayMessage): overlayV1.Message;
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
): overlayV1.Message | undefined {
  try {
    return codec.encode(message);
  } catch {
    onUnencodable?.();
    return undefined;
  }
}
