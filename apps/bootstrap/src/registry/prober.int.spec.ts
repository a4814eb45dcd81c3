import { type NodeId, nodeIdFromBigInt } from '@p2psip/identity';
import { type RpcServer, clientCredentials, startRpcServer, virtualPeerHealthService } from '@p2psip/rpc';
import { silentLogger } from '@p2psip/telemetry';
import { type TestNodeIdentity, createTestPki } from '@p2psip/testing';
import { PeerRegistry } from './peer-registry';
import { Prober } from './prober';

/** A peer process: one certificate, a server per virtual peer, each reporting every peer. */
async function startPeerProcess(identity: TestNodeIdentity): Promise<RpcServer[]> {
  const servers = await Promise.all(
    identity.nodeIds.map(() => startRpcServer({ tls: identity, logger: silentLogger(), services: [] })),
  );
  for (const server of servers)
    for (const nodeId of identity.nodeIds) server.setHealth(virtualPeerHealthService(nodeId), 'SERVING');
  return servers;
}

/** Probe rounds a little apart, as the real ones are (a closed connection takes a moment to show). */
async function rounds(prober: Prober, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await prober.probeAll();
  }
}

describe('bootstrap — prober', () => {
  const abort = new AbortController();
  afterAll(() => abort.abort());

  it('watches the virtual peers of one process over one connection, and drops only those that stop', async () => {
    const pki = await createTestPki();
    const ids = [1n, 2n, 3n].map((n) => nodeIdFromBigInt(n << 100n));
    const processIdentity = await pki.issue({ nodeIds: ids });
    const servers = await startPeerProcess(processIdentity);
    const registry = new PeerRegistry({ now: () => Date.now(), deadAfterMs: 60_000, maxFailedProbes: 2 });
    for (const [i, nodeId] of ids.entries()) registry.upsert(nodeId, servers[i]?.address ?? '', 1);
    const bootstrap = await pki.issue();
    const prober = new Prober(
      {
        registry,
        credentials: (expectedNodeId: NodeId) => clientCredentials(bootstrap, { expectedNodeId }),
        logger: silentLogger(),
        signal: abort.signal,
      },
      { intervalMs: 1000, timeoutMs: 1000 },
    );
    try {
      await prober.probeAll(); // each peer over its own channel: certificates not known yet
      await prober.probeAll(); // then all over the channel of the smallest Node-ID
      expect(prober.channelCount).toBe(1);
      expect(registry.size).toBe(3);

      // The peer whose channel the others share stops: they are probed at their own addresses.
      const [first, second, third] = servers as [RpcServer, RpcServer, RpcServer];
      for (const server of [second, third]) server.setHealth(virtualPeerHealthService(ids[0]), 'NOT_SERVING');
      await first.stop({ graceMs: 0 });
      await rounds(prober, 2);
      expect(registry.all().map((peer) => peer.nodeId)).toEqual([ids[1], ids[2]]);
      await prober.probeAll();
      expect(prober.channelCount).toBe(1);

      // The whole process dies.
      await Promise.all([second.stop({ graceMs: 0 }), third.stop({ graceMs: 0 })]);
      await rounds(prober, 2);
      expect(registry.size).toBe(0);
    } finally {
      prober.close();
      await Promise.all(servers.map((server) => server.stop({ graceMs: 0 })));
    }
  });
});
