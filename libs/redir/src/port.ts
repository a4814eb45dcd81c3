import type { NodeId, ResourceId } from '@p2psip/identity';

/** One live entry of a tree node: the dictionary key (the provider's Node-ID) and its value bytes. */
export interface RedirEntry {
  readonly key: NodeId;
  readonly value: Uint8Array;
}

/** What to store in a tree node under the provider's key; no `value` stores a removal (exists = false). */
export interface RedirStoreRequest {
  readonly key: NodeId;
  readonly value?: Uint8Array;
  /** Seconds the record lives, counted from receipt by the responsible peer. */
  readonly lifetimeS: number;
}

/**
 * What ReDiR needs from the overlay: RELOAD Fetch and Store of the REDIR kind (0x104). Adapters
 * sign what they store with the provider's key and verify what they fetch (signature, certificate,
 * NODE-ID-MATCH) before handing it over; removed entries (exists = false) are left out. Each call
 * must honour the signal and carry its own deadline.
 */
export interface RedirPort {
  /** A wildcard dictionary Fetch of the tree node stored at `resourceId`. */
  fetchTreeNode(resourceId: ResourceId, options?: { signal?: AbortSignal }): Promise<readonly RedirEntry[]>;
  /** Stores (or removes) the provider's entry in the tree node at `resourceId`. */
  storeRecord(
    resourceId: ResourceId,
    request: RedirStoreRequest,
    options?: { signal?: AbortSignal },
  ): Promise<void>;
}

/** What a lookup needs: Fetch only (thin clients look up, they never register). */
export type RedirFetchPort = Pick<RedirPort, 'fetchTreeNode'>;
