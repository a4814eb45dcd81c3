import { type NodeId, randomNodeId } from '@p2psip/identity';
import { type RpcServer, startRpcServer, virtualPeerHealthService } from '@p2psip/rpc';
import { silentLogger } from '@p2psip/telemetry';
import { type TestNodeIdentity, type TestPki, createTestPki } from '@p2psip/testing';
import { NodeIdInUseError, checkNodeIdFree } from './node-id-in-use';

/** A server of `identity` that reports each of `serving` as a virtual peer SERVING, as peers do. */
async function startHealthServer(identity: TestNodeIdentity, serving: readonly NodeId[]): Promise<RpcServer> {
  const server = await startRpcServer({ tls: identity, logger: silentLogger(), services: [] });
  for (const nodeId of serving) server.setHealth(virtualPeerHealthService(nodeId), 'SERVING');
  return server;
}

describe('peer — a Node-ID another process already serves', () => {
  let pki: TestPki;
  let identity: TestNodeIdentity;
  const servers: RpcServer[] = [];
  const check = (nodeId: NodeId, address: string, own: readonly string[] = []) =>
    checkNodeIdFree(nodeId, [{ nodeId, address }], new Set(own), identity, { timeoutMs: 3000 });

  beforeAll(async () => {
    pki = await createTestPki();
    identity = await pki.issue({ nodeIds: [randomNodeId(), randomNodeId()] });
  }, 30_000);
  afterAll(() => Promise.all(servers.map((server) => server.stop({ graceMs: 0 }))));

  it('is refused when the listed peer holds the certificate and reports it serving', async () => {
    const [nodeId] = identity.nodeIds;
    const other = await startHealthServer(identity, identity.nodeIds);
    servers.push(other);
    const refused = check(nodeId, other.address);
    await expect(refused).rejects.toBeInstanceOf(NodeIdInUseError);
    await expect(refused).rejects.toThrow(`is already served by the peer at ${other.address}`);
  }, 30_000);

  it('passes a listing of our own address (a restart on the same port)', async () => {
    const [nodeId] = identity.nodeIds;
    const self = await startHealthServer(identity, identity.nodeIds);
    servers.push(self);
    await expect(check(nodeId, self.address, [self.address])).resolves.toBeUndefined();
  }, 30_000);

  it('passes a stale listing: nothing there, another certificate there, or not serving that peer', async () => {
    const [nodeId, otherNodeId] = identity.nodeIds;
    // Port 1 on loopback: nothing listens.
    await expect(check(nodeId, '127.0.0.1:1')).resolves.toBeUndefined();
    const stranger = await startHealthServer(await pki.issue(), [nodeId]);
    const notServing = await startHealthServer(identity, [otherNodeId]);
    servers.push(stranger, notServing);
    await expect(check(nodeId, stranger.address)).resolves.toBeUndefined();
    await expect(check(nodeId, notServing.address)).resolves.toBeUndefined();
  }, 30_000);

  it('looks only at listings of its own Node-ID', async () => {
    const server = await startHealthServer(identity, identity.nodeIds);
    servers.push(server);
    const listed = [{ nodeId: identity.nodeIds[1], address: server.address }];
    await expect(
      checkNodeIdFree(identity.nodeIds[0], listed, new Set(), identity, { timeoutMs: 3000 }),
    ).resolves.toBeUndefined();
  }, 30_000);
});
