import { type NodeId, idToBytes, randomNodeId } from '@p2psip/identity';
import { bootstrapV1, peerV1 } from '@p2psip/proto';
import { type RpcServer, RpcError, bindService, startRpcServer } from '@p2psip/rpc';
import { silentLogger } from '@p2psip/telemetry';
import { type TestNodeIdentity, type TestPki, createTestPki } from '@p2psip/testing';
import { attach } from './attachment';

const notOffered = () => Promise.reject(new RpcError('precondition', 'NOT_OFFERED', 'not in this test'));

/** A peer's client access service that only tells who it is (as `reportedNodeId`). */
function startPeer(identity: TestNodeIdentity, reportedNodeId: NodeId): Promise<RpcServer> {
  return startRpcServer({
    tls: identity,
    logger: silentLogger(),
    services: [
      bindService(peerV1.ClientAccessServiceService, {
        getAttachmentInfo: (_request, context) =>
          Promise.resolve({
            attachment: {
              peerNodeId: idToBytes(reportedNodeId),
              clientNodeId: idToBytes(context.peer?.nodeIds[0] ?? randomNodeId()),
              overlayName: 'p2psip.test',
              overlay: 1,
              configurationSequence: 3,
              destinationList: [],
              kinds: [],
            },
          }),
        store: notOffered,
        fetch: notOffered,
        stat: notOffered,
        find: notOffered,
        appAttach: notOffered,
        connect: notOffered,
      }),
    ],
  });
}

/** A bootstrap service that names `peers`, in that order, for any Node-ID. */
function startBootstrap(identity: TestNodeIdentity, peers: () => bootstrapV1.PeerInfo[]): Promise<RpcServer> {
  return startRpcServer({
    tls: identity,
    logger: silentLogger(),
    services: [
      bindService(bootstrapV1.BootstrapServiceService, {
        getConfig: notOffered,
        getAdmittingPeers: () => Promise.resolve({ peers: peers() }),
        listPeers: () => Promise.resolve({ peers: peers() }),
        registerPeer: notOffered,
        unregisterPeer: notOffered,
      }),
    ],
  });
}

describe('client-sdk — attaching to the peer a bootstrap service names', () => {
  let pki: TestPki;
  let client: TestNodeIdentity;
  const servers: RpcServer[] = [];
  let listed: bootstrapV1.PeerInfo[] = [];
  let bootstrap: RpcServer;

  beforeAll(async () => {
    pki = await createTestPki();
    client = await pki.issue();
    bootstrap = await startBootstrap(await pki.issue(), () => listed);
    servers.push(bootstrap);
  }, 30_000);
  afterAll(() => Promise.all(servers.map((server) => server.stop({ graceMs: 0 }))));

  const entry = (nodeId: NodeId, address: string): bootstrapV1.PeerInfo => ({
    nodeId: idToBytes(nodeId),
    address,
    uptimeS: 1,
    lastSeenMs: 0n,
  });
  const attachVia = () =>
    attach({ identity: client, nodeId: client.nodeIds[0], bootstraps: [bootstrap.address], timeoutMs: 2000 });

  it('checks the named Node-ID in the TLS handshake, and the stream then authenticates the peer', async () => {
    const identity = await pki.issue();
    const peer = await startPeer(identity, identity.nodeIds[0]);
    servers.push(peer);
    listed = [entry(identity.nodeIds[0], peer.address)];
    const attachment = await attachVia();
    attachment.close();
    expect(attachment.peerNodeId).toBe(identity.nodeIds[0]);
    expect(attachment.peerAuthenticated).toBe(true);
  }, 30_000);

  it('refuses a peer whose certificate lacks the named Node-ID and tries the next one named', async () => {
    const impostor = await startPeer(await pki.issue(), randomNodeId());
    const identity = await pki.issue();
    const peer = await startPeer(identity, identity.nodeIds[0]);
    servers.push(impostor, peer);
    const named = randomNodeId();
    listed = [entry(named, impostor.address), entry(identity.nodeIds[0], peer.address)];
    const attachment = await attachVia();
    attachment.close();
    expect(attachment.address).toBe(peer.address);
    listed = [entry(named, impostor.address)];
    await expect(attachVia()).rejects.toThrow(/does not carry Node-ID/);
  }, 30_000);

  it('refuses a peer that says it is another of its certificate’s Node-IDs than the one named', async () => {
    const [first, second] = [randomNodeId(), randomNodeId()];
    const identity = await pki.issue({ nodeIds: [first, second] });
    const peer = await startPeer(identity, second);
    servers.push(peer);
    listed = [entry(first, peer.address)];
    await expect(attachVia()).rejects.toMatchObject({ code: 'NO_ATTACHMENT' });
    await expect(attachVia()).rejects.toThrow(/the peer is .*, not /);
  }, 30_000);

  it('attaches to a peer given by address alone without claiming to authenticate it', async () => {
    const identity = await pki.issue();
    const peer = await startPeer(identity, identity.nodeIds[0]);
    servers.push(peer);
    const attachment = await attach({
      identity: client,
      nodeId: client.nodeIds[0],
      peer: peer.address,
      timeoutMs: 2000,
    });
    attachment.close();
    expect(attachment.peerNodeId).toBe(identity.nodeIds[0]);
    expect(attachment.peerAuthenticated).toBe(false);
  }, 30_000);
});
