import type { NodeId, ResourceId } from '@p2psip/identity';

/**
 * One entry of a destination or via list (RFC 6940 §6.3.2.2; proto `p2psip.common.v1.Destination`).
 * `opaque` stands for a compressed list saved by the node that issued it; this core never issues
 * one, so it treats an opaque entry it receives as unknown (Error_Invalid_Message).
 */
export type Destination =
  | { readonly kind: 'node'; readonly id: NodeId }
  | { readonly kind: 'resource'; readonly id: ResourceId }
  | { readonly kind: 'opaque'; readonly id: Uint8Array };

export function nodeDestination(id: NodeId): Destination {
  return { kind: 'node', id };
}

export function resourceDestination(id: ResourceId | bigint): Destination {
  return { kind: 'resource', id: id as ResourceId };
}

export function isNodeDestination(d: Destination): d is { readonly kind: 'node'; readonly id: NodeId } {
  return d.kind === 'node';
}

/** The ring position a destination points at, or undefined for an opaque entry. */
export function destinationRingId(d: Destination): bigint | undefined {
  return d.kind === 'opaque' ? undefined : d.id;
}
