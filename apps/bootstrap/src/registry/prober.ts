import type { ChannelCredentials } from '@grpc/grpc-js';
import { type NodeId, idToHex } from '@p2psip/identity';
import { type HealthClient, HealthWatch, createHealthClient, virtualPeerHealthService } from '@p2psip/rpc';
import type { Logger } from '@p2psip/telemetry';
import type { PeerRegistry } from './peer-registry';

export interface ProberInit {
  /** @default 3 s: two failed rounds and the expiry both fit in the 10 s the issue allows */
  readonly intervalMs?: number;
  /** @default 2 s */
  readonly timeoutMs?: number;
}

/** A channel to one peer's address (its owner), with the standing watch of that peer's health. */
interface Channel {
  readonly owner: NodeId;
  readonly address: string;
  readonly client: HealthClient;
  readonly watch: HealthWatch;
}

/** How one peer is watched: over its own channel, or over another peer's of the same process. */
interface PeerWatch {
  readonly via: NodeId;
  readonly watch: HealthWatch;
}

/**
 * Probes every registered peer's gRPC health over mutual TLS (the peer must present a certificate
 * with its Node-ID), so a peer that died without saying so leaves the registry within
 * 2 × intervalMs, and expires peers nobody has seen. Each peer is watched through a standing
 * Health.Watch stream: a round reads its last pushed status instead of sending a unary Check. A
 * peer that dies ends its stream at once (its connection closes) or within one keepalive interval
 * plus timeout (the channel pings every intervalMs), and the next round counts it as failed.
 *
 * The virtual peers of one process share a certificate, and each of its servers reports all of
 * them (`virtualPeerHealthService`): once a channel's certificate is known, the other peers it
 * carries are watched over that one channel (the one of the smallest Node-ID), so a bootstrap
 * keeps a connection per peer process instead of one per virtual peer (≈ 150 KB each at both
 * ends). A peer whose shared watch fails is probed over its own address before it counts as
 * failed: a virtual peer that left does not take its process's others with it.
 */
export class Prober {
  private readonly channels = new Map<NodeId, Channel>();
  private readonly watches = new Map<NodeId, PeerWatch>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly components: {
      readonly registry: PeerRegistry;
      readonly credentials: (expectedNodeId: NodeId) => ChannelCredentials;
      readonly logger: Logger;
      readonly signal: AbortSignal;
    },
    init: ProberInit = {},
  ) {
    this.intervalMs = init.intervalMs ?? 3000;
    this.timeoutMs = init.timeoutMs ?? 2000;
  }

  /** Starts probing rounds in the background until the signal aborts. */
  scheduleRounds(): void {
    const round = (): void => {
      this.probeAll().catch((error: unknown) =>
        this.components.logger.error({ err: error }, 'probe round failed'),
      );
      if (!this.components.signal.aborted) this.timer = setTimeout(round, this.intervalMs);
    };
    this.timer = setTimeout(round, this.intervalMs);
    this.components.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  async probeAll(): Promise<void> {
    const { registry, logger } = this.components;
    for (const dead of registry.expire()) {
      this.forget(dead.nodeId);
      logger.info({ peer: registry.describe(dead) }, 'peer expired');
    }
    await Promise.all(
      registry.all().map(async (peer) => {
        const answered = await this.probe(peer.nodeId, peer.address);
        if (registry.recordProbe(peer.nodeId, answered)) {
          this.forget(peer.nodeId);
          logger.info({ peer: registry.describe(peer) }, 'peer dropped: probes failed');
        }
      }),
    );
    this.closeUnusedChannels();
  }

  /** Stops watching a peer (dropped, expired); its channel closes once nobody is watched over it. */
  forget(nodeId: NodeId): void {
    this.unwatch(nodeId);
    const channel = this.channels.get(nodeId);
    if (!channel) return;
    this.channels.delete(nodeId);
    for (const [peer, watched] of [...this.watches]) if (watched.via === nodeId) this.unwatch(peer);
    channel.watch.close();
    channel.client.close();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const nodeId of [...this.channels.keys()]) this.forget(nodeId);
    for (const nodeId of [...this.watches.keys()]) this.unwatch(nodeId);
  }

  /** Channels open (for tests and diagnostics). */
  get channelCount(): number {
    return this.channels.size;
  }

  private async probe(nodeId: NodeId, address: string): Promise<boolean> {
    const options = { timeoutMs: this.timeoutMs, signal: this.components.signal };
    const shared = this.sharedChannelFor(nodeId);
    const current = this.watches.get(nodeId);
    if (shared && current?.via !== shared.owner) {
      this.unwatch(nodeId);
      this.watches.set(nodeId, {
        via: shared.owner,
        watch: new HealthWatch(shared.client, virtualPeerHealthService(nodeId)),
      });
    }
    const watched = this.watches.get(nodeId);
    if (watched && watched.via !== nodeId) {
      if (await watched.watch.probe(options)) return true;
      // Gone from the registry meanwhile (dropped, departed): nothing to fall back to.
      if (!this.components.registry.get(nodeId)) return false;
      if (this.watches.get(nodeId) === watched) this.unwatch(nodeId);
    }
    return this.ownChannel(nodeId, address).watch.probe(options);
  }

  /** The channel of the smallest Node-ID whose certificate also carries `nodeId`, if not its own. */
  private sharedChannelFor(nodeId: NodeId): Channel | undefined {
    let best: Channel | undefined;
    for (const channel of this.channels.values()) {
      if (!channel.watch.serverNodeIds?.includes(nodeId)) continue;
      if (!best || channel.owner < best.owner) best = channel;
    }
    return best && best.owner !== nodeId ? best : undefined;
  }

  private ownChannel(nodeId: NodeId, address: string): Channel {
    const known = this.channels.get(nodeId);
    if (known && known.address === address) {
      if (this.watches.get(nodeId)?.via !== nodeId)
        this.watches.set(nodeId, { via: nodeId, watch: known.watch });
      return known;
    }
    if (known) this.forget(nodeId);
    const client = createHealthClient(address, this.components.credentials(nodeId), {
      'grpc.keepalive_time_ms': this.intervalMs,
      'grpc.keepalive_timeout_ms': this.timeoutMs,
      'grpc.keepalive_permit_without_calls': 1,
    });
    const channel = { owner: nodeId, address, client, watch: new HealthWatch(client) };
    this.channels.set(nodeId, channel);
    this.watches.set(nodeId, { via: nodeId, watch: channel.watch });
    this.components.logger.debug({ nodeId: idToHex(nodeId), address }, 'probing new peer');
    return channel;
  }

  private unwatch(nodeId: NodeId): void {
    const watched = this.watches.get(nodeId);
    if (!watched) return;
    this.watches.delete(nodeId);
    // A channel's own watch lives and dies with the channel.
    if (watched.via !== nodeId) watched.watch.close();
  }

  /** A peer now watched over another's channel no longer needs its own. */
  private closeUnusedChannels(): void {
    const used = new Set([...this.watches.values()].map((watched) => watched.via));
    for (const [owner, channel] of [...this.channels]) {
      if (used.has(owner)) continue;
      this.channels.delete(owner);
      channel.watch.close();
      channel.client.close();
    }
  }
}
