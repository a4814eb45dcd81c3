import { type NodeId, RING_SIZE, nodeIdFromBytes, resourceIdOf, idToBytes } from '@p2psip/identity';
import { RedirLookupCache, lookupEvents, lookupProvider } from './lookup';
import { MemoryRedirPort } from './memory-port';
import { encodeRedirRecord } from './record';
import { registerProvider } from './register';
import { RedirTree } from './tree';

/** Deterministic, uniformly spread ids: the top 128 bits of SHA-1 over a label. */
const idOf = (label: string): NodeId => nodeIdFromBytes(idToBytes(resourceIdOf(label)));

/** The offline answer: the first provider at or after the key going round the ring. */
function closestSuccessor(providers: readonly NodeId[], key: bigint): NodeId {
  const sorted = [...providers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const first = sorted[0];
  if (first === undefined) throw new Error('no providers');
  return sorted.find((id) => id >= key) ?? first;
}

async function treeWith(count: number, branchingFactor: number, seed = 'p') {
  const port = new MemoryRedirPort();
  const tree = new RedirTree({ namespace: 'turn-server', branchingFactor });
  const providers = Array.from({ length: count }, (_, i) => idOf(`${seed}-${branchingFactor}-${i}`));
  const registrations = [];
  for (const providerId of providers) {
    registrations.push(await registerProvider(port, tree, { providerId, lifetimeS: 600 }));
  }
  return { port, tree, providers, registrations };
}

describe('redir — lookup', () => {
  it.each([
    [1, 10],
    [3, 10],
    [50, 10],
    [1, 2],
    [3, 2],
    [50, 2],
  ])('finds the closest successor among %i provider(s) with b = %i, in few fetches', async (count, b) => {
    const { port, tree, providers } = await treeWith(count, b);
    port.resetCounters();
    const keys = [
      ...Array.from({ length: 200 }, (_, i) => idOf(`key-${b}-${i}`)),
      // Edges: the ends of the ring, each provider itself, and just after each provider.
      0n,
      RING_SIZE - 1n,
      ...providers,
      ...providers.map((id) => (id + 1n) % RING_SIZE),
    ];
    const fetches: number[] = [];
    for (const key of keys) {
      const result = await lookupProvider(port, tree, key);
      expect(result.provider?.id).toBe(closestSuccessor(providers, key));
      fetches.push(result.fetches);
    }
    const mean = fetches.reduce((a, n) => a + n, 0) / fetches.length;
    // O(1) on average; never more than one fetch per level.
    expect(mean).toBeLessThanOrEqual(b === 10 ? 3 : 4);
    expect(Math.max(...fetches)).toBeLessThanOrEqual(tree.deepestLevel + 1);
    expect(port.fetches).toBe(fetches.reduce((a, n) => a + n, 0));
    expect(port.stores).toBe(0);
  });

  it('registers each provider with a handful of fetches and stores', async () => {
    const { registrations, tree } = await treeWith(50, 10);
    for (const registration of registrations) {
      expect(registration.stored.length).toBeGreaterThanOrEqual(1);
      expect(registration.fetches).toBeLessThanOrEqual(tree.deepestLevel + 1);
      // The start level always holds the record.
      expect(registration.stored.some((node) => node.level === tree.startLevel)).toBe(true);
    }
    const stores = registrations.reduce((n, r) => n + r.stored.length, 0);
    expect(stores / registrations.length).toBeLessThan(4);
  });

  it('reports an empty tree as not-found, after climbing to the root', async () => {
    const port = new MemoryRedirPort();
    const tree = new RedirTree({ namespace: 'turn-server' });
    const events = [];
    for await (const event of lookupEvents(port, tree, idOf('k'))) events.push(event);
    expect(events.map((e) => (e.type === 'fetched' ? `fetched ${e.node.level}` : e.type))).toEqual([
      'fetched 2',
      'fetched 1',
      'fetched 0',
      'not-found',
    ]);
    expect((await lookupProvider(port, tree, idOf('k'))).provider).toBeUndefined();
  });

  it('answers successive lookups from one cache without fetching a tree node twice', async () => {
    const { port, tree, providers } = await treeWith(3, 10);
    port.resetCounters();
    const cache = new RedirLookupCache();
    const sorted = [...providers].sort((a, b) => (a < b ? -1 : 1));
    // Walk the providers in ring order: each next lookup starts just after the previous answer.
    let key: bigint = 0n;
    const seen: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const { provider } = await lookupProvider(port, tree, key, { cache });
      if (!provider) throw new Error('no provider');
      seen.push(provider.id);
      key = provider.id + 1n;
    }
    expect(seen).toEqual(sorted);
    const distinctNodes = new Set(cache.providers().map((p) => `${p.record.level}/${p.record.node}`));
    expect(port.fetches).toBeLessThanOrEqual(distinctNodes.size + 3);
  });

  it('ignores entries that do not belong in the tree node, and survives a tree in flux', async () => {
    const { port, tree, providers } = await treeWith(3, 10);
    const key = idOf('client');
    const node = tree.nodeFor(tree.startLevel, key);
    // A record for another tree node, and garbage, stored by a peer that does not check.
    const stranger = idOf('stranger');
    await port.storeRecord(node.resourceId, {
      key: stranger,
      value: encodeRedirRecord({
        destinations: [{ kind: 'node', id: stranger }],
        namespace: 'turn-server',
        level: 0,
        node: 0,
      }),
      lifetimeS: 60,
    });
    await port.storeRecord(node.resourceId, {
      key: idOf('junk'),
      value: Uint8Array.of(1, 2, 3),
      lifetimeS: 60,
    });
    const events = [];
    for await (const event of lookupEvents(port, tree, key)) events.push(event);
    const first = events[0];
    expect(first?.type === 'fetched' && first.ignored).toBe(2);
    const found = events.at(-1);
    expect(found?.type === 'found' && found.provider.id).toBe(closestSuccessor(providers, key));
  });

  it('stops when the signal aborts', async () => {
    const { port, tree } = await treeWith(3, 10);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(lookupProvider(port, tree, idOf('k'), { signal: controller.signal })).rejects.toThrow(
      'stop',
    );
  });
});
