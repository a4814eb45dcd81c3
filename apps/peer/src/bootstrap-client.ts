import { type NodeId, idToBytes, nodeIdFromBytes } from '@p2psip/identity';
import type { BootstrapContact } from '@p2psip/overlay';
import { bootstrapV1 } from '@p2psip/proto';
import { type TlsIdentity, callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import type { Logger } from '@p2psip/telemetry';

type Client = InstanceType<typeof bootstrapV1.BootstrapServiceClient>;

/**
 * The peer's side of the bootstrap services (DESIGN.md §5): admitting peers for joining, and
 * registration so joiners can find us. Each call tries the instances in turn; one instance down
 * is not a failure while another answers.
 */
export class BootstrapClient {
  private readonly clients: { address: string; client: Client }[];

  constructor(
    addresses: readonly string[],
    identity: TlsIdentity,
    private readonly logger: Logger,
  ) {
    this.clients = addresses.map((address) => ({
      address,
      client: createClient(bootstrapV1.BootstrapServiceClient, address, clientCredentials(identity)),
    }));
  }

  get configured(): boolean {
    return this.clients.length > 0;
  }

  /** The live peers closest to `nodeId` (its admitting peer first), with their Node-IDs. */
  async admittingPeers(nodeId: NodeId, count: number, signal?: AbortSignal): Promise<BootstrapContact[]> {
    for (const { address, client } of this.clients) {
      try {
        const answer = await callUnary(
          client,
          'getAdmittingPeers',
          { nodeId: idToBytes(nodeId), count },
          { timeoutMs: 3000, ...(signal ? { signal } : {}) },
        );
        return answer.peers.map((peer) => contactOf(peer));
      } catch (error) {
        this.logger.warn({ err: error, bootstrap: address }, 'bootstrap service did not answer');
      }
    }
    return [];
  }

  /** Registers with every instance; returns how long the registration lasts (s), 0 if none took it. */
  async register(nodeId: NodeId, listenAddress: string, uptimeS: number): Promise<number> {
    const results = await Promise.all(
      this.clients.map(async ({ address, client }) => {
        try {
          const answer = await callUnary(
            client,
            'registerPeer',
            {
              peer: { nodeId: idToBytes(nodeId), address: listenAddress, uptimeS, lastSeenMs: 0n },
            },
            { timeoutMs: 3000 },
          );
          return answer.lifetimeS;
        } catch (error) {
          this.logger.debug({ err: error, bootstrap: address }, 'registration failed');
          return 0;
        }
      }),
    );
    return Math.max(0, ...results.filter((lifetime) => lifetime > 0).map((lifetime) => lifetime));
  }

  async unregister(nodeId: NodeId): Promise<void> {
    await Promise.all(
      this.clients.map(({ client }) =>
        callUnary(client, 'unregisterPeer', { nodeId: idToBytes(nodeId) }, { timeoutMs: 2000 }).catch(
          () => undefined,
        ),
      ),
    );
  }

  close(): void {
    for (const { client } of this.clients) client.close();
  }
}

/**
 * A peer as the bootstrap service named it. A Node-ID that does not parse is left out: the join
 * then takes whoever answers at the address, as with a cached address.
 */
function contactOf(peer: bootstrapV1.PeerInfo): BootstrapContact {
  try {
    return { address: peer.address, nodeId: nodeIdFromBytes(peer.nodeId) };
  } catch {
    return { address: peer.address };
  }
}
