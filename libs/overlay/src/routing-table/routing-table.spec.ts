import { nodeIdFromBigInt, RING_SIZE, type NodeId } from '@p2psip/identity';
import { ConnectionTable } from '../links/connection-table';
import type { Link } from '../components';
import { bitLength } from './finger-table';
import { RoutingTable } from './routing-table';

const id = (x: bigint): NodeId => nodeIdFromBigInt(((x % RING_SIZE) + RING_SIZE) % RING_SIZE);
const MAX = RING_SIZE - 1n;
const settings = { successors: 3, predecessors: 3, fingers: 16 };

describe('overlay — routing table', () => {
  it('makes a node with no predecessor responsible for the whole ring', () => {
    const t = new RoutingTable(id(100n), settings);
    expect(t.isResponsible(0n)).toBe(true);
    expect(t.isResponsible(MAX)).toBe(true);
    expect(t.isResponsible(100n)).toBe(true);
  });

  it('is responsible for (predecessor, self] across the wrap-around', () => {
    const t = new RoutingTable(id(10n), settings);
    t.neighbors.rebuild([id(MAX - 5n)]);
    expect(t.isResponsible(MAX - 5n)).toBe(false);
    expect(t.isResponsible(MAX)).toBe(true);
    expect(t.isResponsible(0n)).toBe(true);
    expect(t.isResponsible(10n)).toBe(true);
    expect(t.isResponsible(11n)).toBe(false);
  });

  it('orders successors clockwise and predecessors counter-clockwise, wrapping at 2^128', () => {
    const t = new RoutingTable(id(MAX - 1n), settings);
    t.neighbors.rebuild([id(5n), id(MAX), id(1000n), id(MAX - 10n), id(MAX - 100n)]);
    expect(t.neighbors.successors).toEqual([id(MAX), id(5n), id(1000n)]);
    expect(t.neighbors.predecessors).toEqual([id(MAX - 10n), id(MAX - 100n), id(1000n)]);
  });

  it('lets one peer be successor and predecessor in a ring of two', () => {
    const t = new RoutingTable(id(1n), settings);
    t.neighbors.rebuild([id(2n)]);
    expect(t.neighbors.successors).toEqual([id(2n)]);
    expect(t.neighbors.predecessors).toEqual([id(2n)]);
    expect(t.isResponsible(2n)).toBe(false);
    expect(t.isResponsible(3n)).toBe(true);
  });

  it('wants only peers closer than its current neighbours once the lists are full', () => {
    const t = new RoutingTable(id(0n), settings);
    t.neighbors.rebuild([id(10n), id(20n), id(30n), id(-10n), id(-20n), id(-30n)]);
    expect(t.neighbors.wants(id(25n))).toBe(true);
    expect(t.neighbors.wants(id(-25n))).toBe(true);
    expect(t.neighbors.wants(id(1n << 100n))).toBe(false);
    expect(t.neighbors.wants(id(20n))).toBe(false);
  });

  it('finds the finger slot of an id from the bit length of its distance', () => {
    const t = new RoutingTable(id(MAX), settings);
    // Finger 1 starts half-way round: self + 2^127.
    expect(t.fingers.slotFor(id(MAX + (1n << 127n)))).toBe(1);
    expect(t.fingers.slotFor(id(MAX + (1n << 127n) - 1n))).toBe(2);
    expect(t.fingers.slotFor(id(MAX + (1n << 113n)))).toBe(15);
    expect(t.fingers.slotFor(id(MAX + (1n << 112n)))).toBe(16);
    expect(t.fingers.slotFor(id(MAX + (1n << 111n)))).toBe(0);
    expect(t.fingers.slotFor(id(MAX))).toBe(0);
    expect(bitLength(1n)).toBe(1);
    expect(bitLength(MAX)).toBe(128);
  });

  it('validates a finger only inside its interval', () => {
    const t = new RoutingTable(id(0n), settings);
    t.fingers.set(1, id(1n << 127n));
    t.fingers.set(2, id(1n << 127n));
    expect(t.fingers.isValid(1)).toBe(true);
    expect(t.fingers.isValid(2)).toBe(false);
    expect(t.fingers.values()).toEqual([id(1n << 127n)]);
  });

  it('routes to the neighbour responsible for the target, else to the peer closing most distance without passing it', () => {
    const t = new RoutingTable(id(0n), settings);
    t.neighbors.rebuild([id(10n), id(20n), id(30n), id(-30n), id(-20n), id(-10n)]);
    t.fingers.set(1, id((1n << 127n) + 5n));
    t.fingers.set(2, id((1n << 126n) + 5n));
    expect(t.nextHop(5n)).toBe(id(10n));
    expect(t.nextHop(10n)).toBe(id(10n));
    // Inside the successors' arc the owner is known: straight to it, not to its predecessor 20.
    expect(t.nextHop(25n)).toBe(id(30n));
    // Likewise inside the predecessors' arc, (-30, -10].
    expect(t.nextHop(MAX - 14n)).toBe(id(-10n));
    expect(t.nextHop(MAX - 24n)).toBe(id(-20n));
    // Outside both arcs: the peer with the largest id before the target.
    expect(t.nextHop(1n << 127n)).toBe(id((1n << 126n) + 5n));
    expect(t.nextHop((1n << 127n) + 6n)).toBe(id((1n << 127n) + 5n));
    expect(t.nextHop(MAX - 34n)).toBe(id((1n << 127n) + 5n));
  });

  it('falls back to the closest preceding peer while lists refilled after a loss may have gaps', () => {
    let now = 1000;
    const t = new RoutingTable(id(0n), settings, () => now);
    t.neighbors.rebuild([id(10n), id(20n), id(30n), id(-30n), id(-20n), id(-10n)]);
    t.refilledNeighbors(61_000);
    expect(t.nextHop(25n)).toBe(id(20n));
    expect(t.nextHop(5n)).toBe(id(10n));
    now = 61_000;
    expect(t.nextHop(25n)).toBe(id(30n));
  });

  it('stops at itself in a ring smaller than its neighbour lists', () => {
    const t = new RoutingTable(id(0n), settings);
    t.neighbors.rebuild([id(10n), id(1n << 127n)]);
    expect(t.nextHop(5n)).toBe(id(10n));
    expect(t.nextHop(11n)).toBe(id(1n << 127n));
  });

  it('keeps the link dialled by the smaller Node-ID when two links cross', () => {
    const fake = (remote: bigint, outbound: boolean): Link => ({
      remoteNodeId: id(remote),
      outbound,
      address: '',
      send() {},
      close() {},
      setHandler() {},
    });
    const small = new ConnectionTable(id(1n));
    const mine = fake(9n, true);
    const theirs = fake(9n, false);
    expect(small.add(theirs)).toBeUndefined();
    expect(small.add(mine)).toBe(theirs);
    expect(small.get(id(9n))).toBe(mine);
    const big = new ConnectionTable(id(9n));
    const a = fake(1n, false);
    const b = fake(1n, true);
    big.add(a);
    expect(big.add(b)).toBe(b);
    expect(big.get(id(1n))).toBe(a);
  });
});
