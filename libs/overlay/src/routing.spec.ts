import { RING_SIZE } from '@p2psip/identity';
import { nodeDestination, ProbeInformationType, resourceDestination } from './messages';
import { SECOND_MS } from './settings';
import { createTestnet, installRouteProbe, routeProbe, type Testnet } from './testing';

const settings = { updateIntervalMs: 5 * SECOND_MS, pingIntervalMs: 5 * SECOND_MS };

async function ring(n: number, seed: number): Promise<Testnet> {
  const net = createTestnet(n, { seed, settings });
  for (const node of net.nodes) installRouteProbe(node);
  await net.joinSequentially();
  await net.runUntil(() => net.isRingConsistent(), 10 * SECOND_MS);
  // Let the finger refresh rounds run.
  await net.runFor(20 * SECOND_MS);
  return net;
}

describe('overlay — routing', () => {
  let net: Testnet;
  beforeAll(async () => {
    net = await ring(50, 11);
  });

  it('delivers every lookup at the responsible node in few hops (N = 50)', async () => {
    const ids = Array.from({ length: 200 }, () =>
      BigInt(`0x${Buffer.from(net.random.bytes(16)).toString('hex')}`),
    );
    const probes = net.nodes.flatMap((node) => ids.map((id) => routeProbe(node, id)));
    const results = await net.settle(Promise.all(probes), 60 * SECOND_MS);
    expect(results.every((r) => r.responsible)).toBe(true);
    results.forEach((r, i) => {
      expect(r.from).toBe(net.responsibleFor(ids[i % ids.length]).nodeId);
    });
    const meanHops = results.reduce((sum, r) => sum + r.hops, 0) / results.length;
    process.stdout.write(`N=50: mean hops ${meanHops.toFixed(2)} over ${results.length} lookups\n`);
    expect(meanHops).toBeLessThanOrEqual(0.5 * Math.log2(50) + 1);
  });

  it('traces the path to the responsible node hop by hop', async () => {
    const target = RING_SIZE / 3n;
    const hops = await net.settle(collect(net.nodes[0].trace(target)), 30 * SECOND_MS);
    expect(hops[0].nodeId).toBe(net.nodes[0].nodeId);
    expect(hops.at(-1)?.nodeId).toBe(net.responsibleFor(target).nodeId);
    expect(hops.at(-1)?.responsible).toBe(true);
    expect(hops.map((h) => h.index)).toEqual(hops.map((_, i) => i));
    for (const h of hops.slice(1)) {
      expect(h.address).toMatch(/^node-\d+$/);
      // A hop k links away answers after 2k one-way delays.
      expect(h.latencyMs).toBe(2 * 10 * h.index);
    }
  });

  it('pings a resource and a node, and probes a peer', async () => {
    const target = RING_SIZE / 7n;
    const owner = net.responsibleFor(target).node;
    const viaResource = await net.settle(net.nodes[3].ping(resourceDestination(target)), 30_000);
    expect(viaResource.nodeId).toBe(owner.nodeId);
    const direct = await net.settle(net.nodes[3].ping(nodeDestination(owner.nodeId)), 30_000);
    expect(direct.nodeId).toBe(owner.nodeId);
    const info = await net.settle(
      net.nodes[3].probe(nodeDestination(owner.nodeId), [
        ProbeInformationType.Uptime,
        ProbeInformationType.ResponsibleSet,
      ]),
      30_000,
    );
    expect(info.map((i) => i.type)).toEqual([3, 1]);
    expect(info[1].value).toBeGreaterThan(0);
    expect(info[1].value).toBeLessThan(1_000_000_000);
  });

  it('answers a RouteQuery with the peer it would forward to', async () => {
    const target = RING_SIZE / 5n;
    const asker = net.nodes[1];
    const peer = net.nodes[2];
    const next = await net.settle(asker.routeQuery(peer.nodeId, resourceDestination(target)), 30_000);
    expect(next).toBe(peer.nextHop(target));
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
