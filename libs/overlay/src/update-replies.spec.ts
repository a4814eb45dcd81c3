import { nodeIdFromBigInt } from '@p2psip/identity';
import { OverlayNode } from './overlay-node';
import { SECOND_MS } from './settings';
import { createTestnet, type Testnet } from './testing';
import { TestnetNode } from './testing/testnet';

const settings = { updateIntervalMs: 5 * SECOND_MS, pingIntervalMs: 5 * SECOND_MS };

/** Updates sent while the clock runs `ms` on. */
async function updatesDuring(net: Testnet, ms: number): Promise<number> {
  const before = net.network.sent.get('update_req') ?? 0;
  await net.runUntil(() => false, ms);
  return (net.network.sent.get('update_req') ?? 0) - before;
}

describe('overlay — Updates when views disagree', () => {
  it('answers a disagreeing view once per change and interval, not in a loop', async () => {
    const net = createTestnet(8, { seed: 21, settings });
    await net.joinSequentially();
    await net.runUntil(() => net.isRingConsistent(), 20 * SECOND_MS);
    const quiet = await updatesDuring(net, 30 * SECOND_MS);

    // A node keeping one neighbour a side: its neighbours' neighbours list it but it does not
    // list them, so each of its Updates disagrees with theirs and theirs with its own.
    const narrow = new TestnetNode(net.members.length, nodeIdFromBigInt(0x7fffn << 112n), 'node-narrow');
    const narrowSettings = { ...settings, successors: 1, predecessors: 1 };
    narrow.node = new OverlayNode(
      {
        clock: net.clock.forOwner(narrow),
        transport: net.network.transportFor(narrow),
        random: net.random.bytes,
      },
      { nodeId: narrow.nodeId, settings: narrowSettings },
    );
    net.network.register(narrow);
    net.members.push(narrow);
    await net.settle(narrow.node.start({ bootstrap: ['node-0'] }), 20 * SECOND_MS);
    await net.runUntil(() => false, 10 * SECOND_MS);
    const withNarrow = await updatesDuring(net, 30 * SECOND_MS);
    expect(withNarrow).toBeLessThan(2 * quiet);
    expect(net.isRingConsistent()).toBe(true);
  });
});
