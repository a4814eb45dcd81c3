import { type NodeId, RING_SIZE, nodeIdFromBigInt } from '@p2psip/identity';
import { PeerRegistry } from './peer-registry';

const id = (n: bigint): NodeId => nodeIdFromBigInt(n);

describe('bootstrap — peer registry', () => {
  function registry(now = { t: 0 }) {
    return { now, peers: new PeerRegistry({ now: () => now.t, deadAfterMs: 10_000, maxFailedProbes: 2 }) };
  }

  it('hands out the peer responsible for an id first, then its successors, wrapping the ring', () => {
    const { peers } = registry();
    for (const n of [100n, 200n, 300n, RING_SIZE - 50n])
      peers.upsert(id(n), `127.0.0.1:${Number(n % 60000n) + 1}`, 1);
    expect(peers.admittingPeers(id(150n), 2).map((p) => p.nodeId)).toEqual([id(200n), id(300n)]);
    expect(peers.admittingPeers(id(301n), 3).map((p) => p.nodeId)).toEqual([
      id(RING_SIZE - 50n),
      id(100n),
      id(200n),
    ]);
    expect(peers.admittingPeers(id(200n), 1).map((p) => p.nodeId)).toEqual([id(300n)]);
  });

  it('drops a peer after two failed probes in a row, and not after one', () => {
    const { peers } = registry();
    peers.upsert(id(1n), '127.0.0.1:1', 0);
    expect(peers.recordProbe(id(1n), false)).toBe(false);
    expect(peers.recordProbe(id(1n), true)).toBe(false);
    expect(peers.recordProbe(id(1n), false)).toBe(false);
    expect(peers.recordProbe(id(1n), false)).toBe(true);
    expect(peers.size).toBe(0);
  });

  it('does not let announcements move a peer or clear its failed probes (regression: spoofed evictions and flapping)', () => {
    const { peers } = registry();
    peers.upsert(id(1n), '127.0.0.1:1', 0);
    expect(peers.announce(id(1n), '10.0.0.9:1', 0)).toBe(false);
    expect(peers.get(id(1n))?.address).toBe('127.0.0.1:1');
    peers.recordProbe(id(1n), false);
    peers.announce(id(1n), '127.0.0.1:1', 5);
    expect(peers.recordProbe(id(1n), false)).toBe(true);
    expect(peers.announce(id(2n), '127.0.0.1:2', 0)).toBe(true);
  });

  it('lets NATS departures remove only announced peers, and caps announced ones (regression: spoofed evictions, floods)', () => {
    const peers = new PeerRegistry({ now: () => 0, maxAnnounced: 1 });
    peers.upsert(id(1n), '127.0.0.1:1', 0);
    expect(peers.depart(id(1n))).toBe(false);
    expect(peers.announce(id(2n), '127.0.0.1:2', 0)).toBe(true);
    expect(peers.announce(id(3n), '127.0.0.1:3', 0)).toBe(false);
    expect(peers.depart(id(2n))).toBe(true);
    expect(peers.all().map((p) => p.nodeId)).toEqual([id(1n)]);
  });

  it('expires peers not seen for the dead-after time', () => {
    const { now, peers } = registry();
    peers.upsert(id(1n), '127.0.0.1:1', 0);
    now.t = 5_000;
    peers.upsert(id(2n), '127.0.0.1:2', 0);
    now.t = 10_001;
    expect(peers.expire().map((p) => p.nodeId)).toEqual([id(1n)]);
    expect(peers.all().map((p) => p.nodeId)).toEqual([id(2n)]);
  });

  it('samples without repeats, at most what it has', () => {
    const { peers } = registry();
    for (let n = 1n; n <= 10n; n++) peers.upsert(id(n), `127.0.0.1:${n}`, 0);
    const sample = peers.sample(4);
    expect(new Set(sample.map((p) => p.nodeId)).size).toBe(4);
    expect(peers.sample(50)).toHaveLength(10);
  });

  it('refuses new peers beyond its capacity but refreshes known ones', () => {
    const peers = new PeerRegistry({ now: () => 0, maxPeers: 1 });
    expect(peers.upsert(id(1n), '127.0.0.1:1', 0)).toBe(true);
    expect(peers.upsert(id(2n), '127.0.0.1:2', 0)).toBe(false);
    expect(peers.upsert(id(1n), '127.0.0.1:9', 5)).toBe(true);
  });
});
