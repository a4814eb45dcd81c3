import { createHash } from 'node:crypto';
import { type NodeId, idToBytes, nodeIdFromBytes } from '@p2psip/identity';
import type { overlayV1 } from '@p2psip/proto';

/** RELOAD's protocol version (RFC 6940 §6.3.2.1: 0x0a). */
export const RELOAD_VERSION = 10;

/** What both ends of a link must agree on before any message flows. */
export interface LinkAgreement {
  /** Overlay name; its hash travels in the hello (lowest 32 bits of SHA-1). */
  readonly overlay: string;
  readonly configurationSequence: () => number;
}

/** ForwardingHeader.overlay: the lowest 32 bits of SHA-1(overlay name), i.e. its last 4 bytes. */
export function overlayHash(overlay: string): number {
  return createHash('sha1').update(overlay).digest().readUInt32BE(16);
}

export function makeHello(
  agreement: LinkAgreement,
  nodeId: NodeId,
  expected: NodeId | undefined,
): overlayV1.LinkHello {
  return {
    nodeId: idToBytes(nodeId),
    overlay: overlayHash(agreement.overlay),
    configurationSequence: agreement.configurationSequence(),
    version: RELOAD_VERSION,
    expectedNodeId: expected === undefined ? Buffer.alloc(0) : idToBytes(expected),
    acceptsBatches: true,
  };
}

/**
 * Checks a hello against the sender's certificate and our overlay. Returns the Node-ID the sender
 * speaks for, or why the link must be refused. A differing configuration sequence is not refused
 * here: RELOAD resolves it per message (Config_Too_Old/New) and by fetching the newer document.
 */
export function checkHello(
  hello: overlayV1.LinkHello,
  certificateNodeIds: readonly NodeId[],
  agreement: LinkAgreement,
): { nodeId: NodeId } | { refused: string } {
  if (hello.version !== RELOAD_VERSION)
    return { refused: `version ${hello.version}, expected ${RELOAD_VERSION}` };
  if (hello.overlay !== overlayHash(agreement.overlay)) return { refused: 'another overlay' };
  let nodeId: NodeId;
  try {
    nodeId = nodeIdFromBytes(hello.nodeId);
  } catch {
    return { refused: 'malformed Node-ID in hello' };
  }
  if (!certificateNodeIds.includes(nodeId))
    return { refused: 'the hello names a Node-ID its certificate does not carry' };
  return { nodeId };
}
