import { type NodeId, idToHex } from '@p2psip/identity';
import type { BootstrapContact } from '@p2psip/overlay';
import {
  type TlsIdentity,
  clientCredentials,
  createHealthClient,
  isServingStatus,
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
function servesNodeId(
  address: string,
  nodeId: NodeId,
  identity: TlsIdentity,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<boolean> {
  const client = createHealthClient(address, clientCredentials(identity, { expectedNodeId: nodeId }));
  const call = client.watch({ service: virtualPeerHealthService(nodeId) });
  return new Promise<boolean>((resolve) => {
    let settled = false;
    const timer = setTimeout(() => settle(false), options.timeoutMs);
    const onAbort = (): void => settle(false);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    function settle(serving: boolean): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      call.cancel();
      client.close();
      resolve(serving);
    }
    call.on('data', (response) => settle(isServingStatus(response.status)));
    call.on('error', () => settle(false));
    call.on('end', () => settle(false));
  });
}
