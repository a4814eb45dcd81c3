import { InvalidReloadUriError } from '../errors';
import { type NodeId, idToHex, isReservedNodeId, nodeIdFromHex } from '../ring-id';

/** What a certificate's `reload://` URI names: one Node-ID in one overlay. */
export interface ReloadNodeUri {
  readonly nodeId: NodeId;
  readonly overlay: string;
}

// RFC 6940 writes the Node-ID as the hex of a one-entry Destination List (01 10 <id>); our design
// (DESIGN.md §3–4) writes the bare 32-hex Node-ID. We issue the bare form and read both.
const RELOAD_URI = /^reload:\/\/(?:0110)?([0-9a-fA-F]{32})@([^/]+)\/$/;
const DNS_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isValidOverlayName(name: string): boolean {
  return DNS_NAME.test(name);
}

export function formatReloadUri(nodeId: NodeId, overlay: string): string {
  if (!isValidOverlayName(overlay))
    throw new InvalidReloadUriError(`overlay name ${JSON.stringify(overlay)} is not a DNS name`);
  return `reload://${idToHex(nodeId)}@${overlay.toLowerCase()}/`;
}

export function parseReloadUri(uri: string): ReloadNodeUri {
  const match = RELOAD_URI.exec(uri);
  if (!match)
    throw new InvalidReloadUriError(`not a reload:// node URI: ${JSON.stringify(uri.slice(0, 120))}`);
  const [, hex, overlay] = match as unknown as [string, string, string];
  if (!isValidOverlayName(overlay))
    throw new InvalidReloadUriError(`overlay name ${JSON.stringify(overlay)} is not a DNS name`);
  const nodeId = nodeIdFromHex(hex);
  if (isReservedNodeId(nodeId)) throw new InvalidReloadUriError('the all-zeros Node-ID is reserved');
  return { nodeId, overlay: overlay.toLowerCase() };
}
