import { type NodeId, idToHex, nodeIdFromBigInt, ringSub } from '@p2psip/identity';
import type { BootstrapContact } from '@p2psip/overlay';
import {
  HealthWatch,
  type TlsIdentity,
  clientCredentials,
  createHealthClient,
  virtualPeerHealthService,
} from '@p2psip/rpc';

/** A Node-ID of ours that a live peer elsewhere already serves: the identity runs twice. */
export class NodeIdInUseError extends Error {
  readonly code = 'NODE_ID_IN_USE';

  constructor(
    readonly nodeId: NodeId,
    readonly address: string,
  ) {
    super(
      `Node-ID ${idToHex(nodeId)} is already served by the peer at ${address}: another process runs ` +
        'this identity. Stop it, or give this process an identity of its own (--identity).',
    );
  }
}

/** Where a bootstrap service lists peers: the id just before ours names the peer listed with it. */
interface PeerListing {
  admittingPeers(nodeId: NodeId, count: number, signal?: AbortSignal): Promise<BootstrapContact[]>;
}

/**
 * Refuses to start (NodeIdInUseError) when another live process serves one of `peers`' Node-IDs.
 * Run before this process reports its own peers SERVING.
 */
export async function refuseRunningIdentity(
  peers: readonly { readonly nodeId: NodeId; readonly address: string }[],
  bootstrap: PeerListing,
  identity: TlsIdentity,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  const own = new Set(peers.map((peer) => peer.address));
  for (const { nodeId } of peers) {
    // A bootstrap never names a node as its own admitting peer; the one for the id just before
    // ours is the peer listed with our Node-ID, when there is one.
    const before = nodeIdFromBigInt(ringSub(nodeId, 1n));
    const listed = await bootstrap.admittingPeers(before, 1, options.signal);
    await checkNodeIdFree(nodeId, listed, own, identity, options);
  }
}

/**
 * Throws NodeIdInUseError when a bootstrap service lists `nodeId` at an address not ours and the
 * peer there still reports it serving. Two processes of one certificate would otherwise both join
 * and serve the same Node-ID, and each would take the other's requests and stored data for its own.
 * A listing left by a process that died (nothing answers there, or another certificate does) is
 * stale and passes.
 */
export async function checkNodeIdFree(
  nodeId: NodeId,
  listed: readonly BootstrapContact[],
  ownAddresses: ReadonlySet<string>,
  identity: TlsIdentity,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  for (const contact of listed) {
    if (contact.nodeId !== nodeId || ownAddresses.has(contact.address)) continue;
    if (await servesNodeId(contact.address, nodeId, identity, options)) {
      throw new NodeIdInUseError(nodeId, contact.address);
    }
  }
}

/**
 * The server at `address` holds a certificate with `nodeId` (checked in the TLS handshake) and its
 * health service reports that virtual peer SERVING. Any failure to learn that counts as no.
 */
async function servesNodeId(
  address: string,
  nodeId: NodeId,
  identity: TlsIdentity,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<boolean> {
  const client = createHealthClient(address, clientCredentials(identity, { expectedNodeId: nodeId }));
  const watch = new HealthWatch(client, virtualPeerHealthService(nodeId));
  try {
    return await watch.probe(options);
  } finally {
    watch.close();
    client.close();
  }
}
