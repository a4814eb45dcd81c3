import { type NodeId, clockwiseDistance, idToHex } from '@p2psip/identity';

/** A live peer as the bootstrap service knows it. */
export interface PeerEntry {
  readonly nodeId: NodeId;
  readonly address: string;
  readonly uptimeS: number;
  /** When it last registered, announced itself or answered a probe. */
  readonly lastSeenMs: number;
  /** Probes failed in a row. */
  readonly failedProbes: number;
  /** How the registry learned it: an authenticated registration, or an unauthenticated NATS announcement. */
  readonly source: 'registration' | 'announcement';
}

export interface PeerRegistryInit {
  readonly now: () => number;
  /** A peer not seen for this long is dropped. @default 10 s (the bound) */
  readonly deadAfterMs?: number;
  /** A peer whose probes fail this many times in a row is dropped. @default 2 */
  readonly maxFailedProbes?: number;
  /** @default 100 000 */
  readonly maxPeers?: number;
  /** Peers known only from announcements, at most (so a flood cannot crowd out registrations). @default 1 000 */
  readonly maxAnnounced?: number;
}

/**
 * The peers a bootstrap service hands to joining nodes. Holds nothing that cannot be rebuilt:
 * peers register and announce themselves again, so several instances run side by side and a
 * restarted one fills up within one announcement interval.
 */
export class PeerRegistry {
  private readonly peers = new Map<NodeId, PeerEntry>();
  private readonly now: () => number;
  private readonly deadAfterMs: number;
  private readonly maxFailedProbes: number;
  private readonly maxPeers: number;
  private readonly maxAnnounced: number;

  constructor(init: PeerRegistryInit) {
    this.now = init.now;
    this.deadAfterMs = init.deadAfterMs ?? 10_000;
    this.maxFailedProbes = init.maxFailedProbes ?? 2;
    this.maxPeers = init.maxPeers ?? 100_000;
    this.maxAnnounced = init.maxAnnounced ?? 1000;
  }

  get size(): number {
    return this.peers.size;
  }

  /** Adds or refreshes a peer (registration, announcement). Returns false when full. */
  upsert(nodeId: NodeId, address: string, uptimeS: number): boolean {
    if (!this.peers.has(nodeId) && this.peers.size >= this.maxPeers) return false;
    this.peers.set(nodeId, {
      nodeId,
      address,
      uptimeS,
      lastSeenMs: this.now(),
      failedProbes: 0,
      source: 'registration',
    });
    return true;
  }

  /**
   * An unauthenticated announcement (NATS): it may add an unknown peer or refresh a known one at
   * the same address, but neither resets failed probes (a dead peer that keeps announcing still
   * leaves) nor moves a peer to another address (anyone on the bus could send it). Moving takes
   * an authenticated registration.
   */
  announce(nodeId: NodeId, address: string, uptimeS: number): boolean {
    const known = this.peers.get(nodeId);
    if (!known) {
      const announced = [...this.peers.values()].filter((peer) => peer.source === 'announcement').length;
      if (announced >= this.maxAnnounced || this.peers.size >= this.maxPeers) return false;
      this.peers.set(nodeId, {
        nodeId,
        address,
        uptimeS,
        lastSeenMs: this.now(),
        failedProbes: 0,
        source: 'announcement',
      });
      return true;
    }
    if (known.address !== address) return false;
    this.peers.set(nodeId, { ...known, uptimeS, lastSeenMs: this.now() });
    return true;
  }

  /**
   * An unauthenticated departure (NATS): it removes only a peer learned from announcements; a
   * registered peer unregisters itself over gRPC, or leaves when its probes fail.
   */
  depart(nodeId: NodeId): boolean {
    if (this.peers.get(nodeId)?.source !== 'announcement') return false;
    return this.peers.delete(nodeId);
  }

  remove(nodeId: NodeId): boolean {
    return this.peers.delete(nodeId);
  }

  get(nodeId: NodeId): PeerEntry | undefined {
    return this.peers.get(nodeId);
  }

  /** Records a probe; returns true when the peer was dropped because of it. */
  recordProbe(nodeId: NodeId, answered: boolean): boolean {
    const peer = this.peers.get(nodeId);
    if (!peer) return false;
    if (answered) {
      this.peers.set(nodeId, { ...peer, lastSeenMs: this.now(), failedProbes: 0 });
      return false;
    }
    const failedProbes = peer.failedProbes + 1;
    if (failedProbes >= this.maxFailedProbes) {
      this.peers.delete(nodeId);
      return true;
    }
    this.peers.set(nodeId, { ...peer, failedProbes });
    return false;
  }

  /** Drops peers not seen for deadAfterMs; returns them. */
  expire(): PeerEntry[] {
    const limit = this.now() - this.deadAfterMs;
    const dead = [...this.peers.values()].filter((peer) => peer.lastSeenMs < limit);
    for (const peer of dead) this.peers.delete(peer.nodeId);
    return dead;
  }

  /**
   * The live peers closest to `nodeId`, clockwise from it: the first is the peer now responsible
   * for `nodeId` (its Admitting Peer, RFC 6940 §10.5), then that peer's successors. The node
   * itself is never included.
   */
  admittingPeers(nodeId: NodeId, count: number): PeerEntry[] {
    return [...this.peers.values()]
      .filter((peer) => peer.nodeId !== nodeId)
      .sort((a, b) => compare(clockwiseDistance(nodeId, a.nodeId), clockwiseDistance(nodeId, b.nodeId)))
      .slice(0, Math.max(0, count));
  }

  /** Up to `count` peers drawn at random (all of them when there are fewer). */
  sample(count: number, random: () => number = Math.random): PeerEntry[] {
    const all = [...this.peers.values()];
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, Math.max(0, count));
  }

  all(): PeerEntry[] {
    return [...this.peers.values()].sort((a, b) => compare(a.nodeId, b.nodeId));
  }

  describe(peer: PeerEntry): string {
    return `${idToHex(peer.nodeId)}@${peer.address}`;
  }
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
