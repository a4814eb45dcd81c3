import type { NodeId } from '@p2psip/identity';

/**
 * A bootstrap node to join through. With the Node-ID a bootstrap service named, the link is
 * refused unless that node answers, and an adapter may reach it over a connection it already has
 * to the node's process instead of dialling the address anew.
 */
export interface BootstrapContact {
  readonly address: string;
  readonly nodeId?: NodeId;
}

/** A bare address is a contact whose Node-ID is not known. */
export function toBootstrapContact(entry: string | BootstrapContact): BootstrapContact {
  return typeof entry === 'string' ? { address: entry } : entry;
}
