// Scale measurement, not a test (not matched by *.spec.ts). Run from libs/overlay:
//   node --expose-gc ../../node_modules/.bin/jest --testMatch '**/scale.bench.ts' --testTimeout 600000
// Prints wall time, heap per node and lookup hops; the figures go into the issue note.
import { MINUTE_MS, SECOND_MS } from '../settings';
import { installRouteProbe, routeProbe } from './route-probe';
import { createTestnet } from './testnet';

const N = Number(process.env.OVERLAY_BENCH_NODES ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;

function heapMb(): number {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('overlay — scale measurement', () => {
  it(`builds ${N} nodes, runs 5 simulated minutes, routes 1000 lookups`, async () => {
    const before = heapMb();
    const t0 = Date.now();
    const net = createTestnet(N, { seed: 9, settings: { updateIntervalMs: MINUTE_MS } });
    for (const node of net.nodes) installRouteProbe(node);
    await net.joinSequentially();
    const tJoin = Date.now() - t0;
    const consistentAfterJoin = net.isRingConsistent();
    await net.runFor(5 * MINUTE_MS);
    const tRun = Date.now() - t0 - tJoin;
    const after = heapMb();
    const ids = Array.from({ length: 1000 }, () =>
      BigInt(`0x${Buffer.from(net.random.bytes(16)).toString('hex')}`),
    );
    const results = await net.settle(
      Promise.all(ids.map((id, i) => routeProbe(net.nodes[(i * 7) % N], id))),
      60 * SECOND_MS,
    );
    const hops = results.map((r) => r.hops);
    const ok = results.filter((r) => r.responsible).length;
    const sent = [...net.network.sent.values()].reduce((a, b) => a + b, 0);
    const links = net.nodes.reduce((s, n) => s + n.stats().connections, 0);
    process.stdout.write(
      [
        `nodes ${N}: join ${tJoin} ms wall (virtual ${(net.clock.now() / 1000).toFixed(0)} s total)`,
        `5 simulated minutes: ${tRun} ms wall; ring consistent after join ${consistentAfterJoin}, now ${net.isRingConsistent()}`,
        `heap ${(after - before).toFixed(1)} MB for ${N} nodes = ${(((after - before) * 1024) / N).toFixed(1)} KB/node; links/node ${(links / N).toFixed(1)}`,
        `lookups ${ok}/1000 at the responsible node; mean hops ${(hops.reduce((a, b) => a + b, 0) / hops.length).toFixed(2)} (½·log2 N + 1 = ${(0.5 * Math.log2(N) + 1).toFixed(2)})`,
        `messages sent ${sent}; events ${net.clock.executed}`,
        '',
      ].join('\n'),
    );
    expect(ok).toBe(1000);
  });
});
