import { SECOND_MS } from './settings';
import { createTestnet, installRouteProbe, routeProbe, type Testnet } from './testing';

const UPDATE_MS = 5 * SECOND_MS;
const settings = { updateIntervalMs: UPDATE_MS, pingIntervalMs: UPDATE_MS };

async function ring(n: number, seed: number): Promise<Testnet> {
  const net = createTestnet(n, { seed, settings, failureDetectionMs: SECOND_MS });
  for (const node of net.nodes) installRouteProbe(node);
  await net.joinSequentially();
  await net.runUntil(() => net.isRingConsistent(), 10 * SECOND_MS);
  await net.runFor(10 * SECOND_MS);
  return net;
}

describe('overlay — failure recovery', () => {
  it('is consistent again within 3 update intervals after 5 of 50 nodes die', async () => {
    const net = await ring(50, 21);
    for (const i of [3, 4, 17, 30, 41]) net.killNode(i);
    expect(net.isRingConsistent()).toBe(false);
    const healed = await net.runUntil(() => net.isRingConsistent(), 3 * UPDATE_MS);
    expect(healed).toBe(true);
    // And lookups reach the new owners.
    const ids = [1n << 120n, 1n << 127n, (1n << 128n) - 5n];
    const results = await net.settle(
      Promise.all(ids.map((id) => routeProbe(net.nodes[0], id))),
      30 * SECOND_MS,
    );
    expect(results.every((r) => r.responsible)).toBe(true);
  });

  it('refills a successor list when three adjacent nodes die', async () => {
    const net = await ring(20, 22);
    const sorted = [...net.members].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    for (const m of sorted.slice(5, 8)) net.killNode(m.index);
    expect(await net.runUntil(() => net.isRingConsistent(), 3 * UPDATE_MS)).toBe(true);
    const full = net.live().every((m) => m.node.neighbors().successors.length === 3);
    expect(
      full ||
        (await net.runUntil(
          () => net.live().every((m) => m.node.neighbors().successors.length === 3),
          3 * UPDATE_MS,
        )),
    ).toBe(true);
  });

  it('repairs the neighbours of a leaving node before any update interval elapses', async () => {
    const net = await ring(20, 23);
    const leaver = net.members[7];
    const started = net.clock.now();
    let left = false;
    let stillListed = -1;
    const done = (): void => {
      left = true;
      // Leave answers come back before the leaver closes its links: the repair is the Leave's.
      stillListed = net.nodes.filter(
        (n) =>
          n !== leaver.node &&
          n.neighbors().successors.concat(n.neighbors().predecessors).includes(leaver.nodeId),
      ).length;
    };
    leaver.node.leave().then(done, done);
    const healed = await net.runUntil(() => left && net.isRingConsistent(), UPDATE_MS);
    expect(healed).toBe(true);
    expect(stillListed).toBe(0);
    // Well under an update interval (and under the 1 s failure detection of the testnet).
    expect(net.clock.now() - started).toBeLessThan(SECOND_MS);
    const full = await net.runUntil(
      () => net.live().every((m) => m.node.neighbors().successors.length === 3),
      UPDATE_MS / 2,
    );
    expect(full).toBe(true);
  });
});
