import fc from 'fast-check';
import { nodeIdFromBigInt, RING_SIZE } from '@p2psip/identity';
import { SECOND_MS } from './settings';
import { createTestnet } from './testing';

const settings = { updateIntervalMs: 5 * SECOND_MS, pingIntervalMs: 5 * SECOND_MS };

describe('overlay — ring formation', () => {
  it('makes a single first node responsible for everything', async () => {
    const net = createTestnet(1, { seed: 1, settings });
    const joined = jest.fn();
    net.nodes[0].on('joined', joined);
    await net.startFirst();
    const node = net.nodes[0];
    expect(joined).toHaveBeenCalledTimes(1);
    expect(node.isResponsible(0n)).toBe(true);
    expect(node.isResponsible(RING_SIZE - 1n)).toBe(true);
    expect(node.responsibleRange()).toEqual({ from: node.nodeId, to: node.nodeId });
    expect(net.isRingConsistent()).toBe(true);
  });

  it.each([2, 3, 10, 50])('forms a consistent ring when %i nodes join one after another', async (n) => {
    const net = createTestnet(n, { seed: n, settings });
    await net.joinSequentially();
    expect(await net.runUntil(() => net.isRingConsistent(), 10 * SECOND_MS)).toBe(true);
    expect(net.live()).toHaveLength(n);
  });

  it.each([3, 10, 50])('forms a consistent ring when %i nodes join at once', async (n) => {
    const net = createTestnet(n, { seed: 100 + n, settings });
    await net.joinConcurrently();
    expect(await net.runUntil(() => net.isRingConsistent(), 3 * 5 * SECOND_MS)).toBe(true);
  });

  it('reports responsibility changes when a predecessor joins', async () => {
    const net = createTestnet(2, { seed: 7, settings });
    await net.startFirst();
    const changes: unknown[] = [];
    net.nodes[0].on('responsibilityChanged', (_old, range) => changes.push(range));
    await net.settle(net.nodes[1].start({ bootstrap: ['node-0'] }), 10 * SECOND_MS);
    expect(changes.at(-1)).toEqual({ from: net.nodes[1].nodeId, to: net.nodes[0].nodeId });
  });

  it('joins through a bootstrap contact only when the Node-ID named for it answers there', async () => {
    const net = createTestnet(3, { seed: 11, settings });
    await net.startFirst();
    const [first, second, third] = net.nodes;
    const stranger = nodeIdFromBigInt((first.nodeId as bigint) ^ 1n);
    await expect(
      net.settle(second.start({ bootstrap: [{ address: 'node-0', nodeId: stranger }] }), 10 * SECOND_MS),
    ).rejects.toMatchObject({ code: 'JOIN_FAILED' });
    await net.settle(
      third.start({ bootstrap: [{ address: 'node-0', nodeId: first.nodeId }] }),
      10 * SECOND_MS,
    );
    expect(third.responsibleRange()).toEqual({ from: first.nodeId, to: third.nodeId });
  });

  it('does not join through a bootstrap contact that names the joining node itself', async () => {
    const net = createTestnet(2, { seed: 12, settings });
    await net.startFirst();
    const joiner = net.nodes[1];
    // Its own address and Node-ID (a stale cache or listing): it must not link to itself.
    const joining = joiner.start({ bootstrap: [{ address: 'node-1', nodeId: joiner.nodeId }] });
    await expect(net.settle(joining, 10 * SECOND_MS)).rejects.toMatchObject({
      code: 'JOIN_FAILED',
      cause: { message: 'the bootstrap contact is this node' },
    });
    expect(joiner.connections.size).toBe(0);
  });

  it('refuses to start without `first` or bootstrap addresses', async () => {
    const net = createTestnet(1);
    await expect(net.nodes[0].start({})).rejects.toMatchObject({ code: 'INVALID_START' });
  });

  it('partitions the ring: exactly one node is responsible for each id', async () => {
    // One ring per property run would be slow; random node sets come from random seeds.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.bigInt({ min: 0n, max: RING_SIZE - 1n }), { minLength: 20, maxLength: 20 }),
        async (seed, n, ids) => {
          const net = createTestnet(n, { seed, settings });
          await net.joinSequentially();
          await net.runUntil(() => net.isRingConsistent(), 10 * SECOND_MS);
          const all = [...ids, ...net.members.map((m) => m.nodeId as bigint)];
          for (const id of all) {
            const owners = net.nodes.filter((node) => node.isResponsible(id));
            expect(owners.map((o) => o.nodeId)).toEqual([net.responsibleFor(id).nodeId]);
          }
        },
      ),
      { numRuns: 15, seed: 42 },
    );
    expect(nodeIdFromBigInt(1n)).toBe(1n);
  });
});
