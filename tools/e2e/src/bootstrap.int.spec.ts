import { status } from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import path from 'node:path';
import { type StoredIdentity, enroll } from '@p2psip/enrollment-client';
import { idToBytes, idToHex, parseCertificate } from '@p2psip/identity';
import { verifyConfigurationDocument } from '@p2psip/overlay-config';
import { bootstrapV1 } from '@p2psip/proto';
import {
  type RpcCallError,
  type RpcServer,
  callUnary,
  clientCredentials,
  createClient,
  startRpcServer,
} from '@p2psip/rpc';
import { silentLogger } from '@p2psip/telemetry';
import { type NatsServerHandle, type TempDir, createTempDir, startNatsServer } from '@p2psip/testing';
import { type RunningBootstrap, startBootstrap } from './support/bootstrap-server';
import { type RunningEnrollment, startEnrollment } from './support/enrollment-server';
import { runBinOk } from './support/run-bin';
import { waitFor } from './support/wait-for';

const overlay = 'p2psip.test';

interface Peer {
  readonly identity: StoredIdentity;
  readonly server: RpcServer;
  readonly hex: string;
}

// The bootstrap service as joining nodes meet it, with real gRPC endpoints standing in for peers
// (each an mTLS server with an enrolled identity and the health service the bootstrap probes).
describe('e2e — bootstrap service', () => {
  let work: TempDir;
  let nats: NatsServerHandle;
  let enrollment: RunningEnrollment;
  let bootstrap: RunningBootstrap;
  const peers: Peer[] = [];

  async function newPeer(n: number): Promise<Peer> {
    const identity = await enroll({
      enrollmentUrl: `https://${enrollment.endpoints.https}/enroll`,
      caPem: enrollment.caPem,
      userName: `peer${n}@${overlay}`,
      password: 'pw',
    });
    const stored = { ...identity, caPem: enrollment.caPem };
    const server = await startRpcServer({ tls: stored, services: [], logger: silentLogger() });
    const peer = { identity: stored, server, hex: idToHex(identity.certificate.nodeIds[0] ?? 0n) };
    peers.push(peer);
    return peer;
  }

  function bootstrapClient(identity: StoredIdentity) {
    return createClient(bootstrapV1.BootstrapServiceClient, bootstrap.grpc, clientCredentials(identity));
  }

  async function register(peer: Peer): Promise<void> {
    const client = bootstrapClient(peer.identity);
    await callUnary(client, 'registerPeer', {
      peer: {
        nodeId: idToBytes(peer.identity.certificate.nodeIds[0] ?? 0n),
        address: peer.server.address,
        uptimeS: 1,
        lastSeenMs: 0n,
      },
    });
    client.close();
  }

  async function listed(identity: StoredIdentity): Promise<string[]> {
    const client = bootstrapClient(identity);
    const answer = await callUnary(client, 'listPeers', { sample: 64 });
    client.close();
    return answer.peers.map((p) => Buffer.from(p.nodeId).toString('hex')).sort();
  }

  beforeAll(async () => {
    work = await createTempDir('bootstrap-e2e');
    nats = await startNatsServer();
    const dir = path.join(work.path, 'ca');
    await runBinOk('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', dir);
    enrollment = await startEnrollment(dir, ['--signing-workers', '1']);
    await runBinOk('p2psip-enrollment', 'config', 'set', '--self-registration', 'on', '--dir', dir);
    await runBinOk(
      'p2psip-enrollment',
      'user',
      'add',
      `bootstrap@${overlay}`,
      '--password',
      'bs',
      '--dir',
      dir,
    );
    bootstrap = await startBootstrap([
      '--config-url',
      `https://${enrollment.endpoints.https}/.well-known/reload-config`,
      '--ca',
      path.join(dir, 'ca.pem'),
      '--identity',
      path.join(work.path, 'bootstrap-identity'),
      '--user',
      `bootstrap@${overlay}`,
      '--password',
      'bs',
      '--nats-url',
      nats.url,
      '--probe-interval-ms',
      '1000',
    ]);
    for (let n = 1; n <= 3; n++) await register(await newPeer(n));
  });

  afterAll(async () => {
    await bootstrap?.app.stop();
    await Promise.all(peers.map((peer) => peer.server.stop({ graceMs: 100 })));
    await enrollment?.app.stop();
    await nats?.stop();
    await work?.remove();
  });

  it('serves the verified configuration document', async () => {
    const client = bootstrapClient(peers[0].identity);
    const answer = await callUnary(client, 'getConfig', {});
    client.close();
    const configuration = verifyConfigurationDocument(answer.document, {
      trustedCa: parseCertificate(enrollment.caPem),
      expectedOverlay: overlay,
    });
    expect(configuration.sequence).toBe(answer.sequence);
  });

  it('answers the admitting peer of an id first, then its successors, never the asker', async () => {
    const [asker] = peers;
    const client = bootstrapClient(asker.identity);
    const answer = await callUnary(client, 'getAdmittingPeers', {
      nodeId: idToBytes(asker.identity.certificate.nodeIds[0] ?? 0n),
      count: 5,
    });
    client.close();
    const returned = answer.peers.map((p) => Buffer.from(p.nodeId).toString('hex'));
    const others = peers.slice(1).map((p) => p.hex);
    // Clockwise from the asker's id: the other two peers, nearest first.
    const expected = [...others].sort((a, b) => {
      const d = (x: string) => (BigInt(`0x${x}`) - BigInt(`0x${asker.hex}`) + (1n << 128n)) % (1n << 128n);
      return d(a) < d(b) ? -1 : 1;
    });
    expect(returned).toEqual(expected);
  });

  it('refuses a registration for a Node-ID the caller’s certificate does not carry', async () => {
    const [alice, bob] = peers;
    const client = bootstrapClient(alice.identity);
    const error = (await callUnary(client, 'registerPeer', {
      peer: {
        nodeId: idToBytes(bob.identity.certificate.nodeIds[0] ?? 0n),
        address: '127.0.0.1:1',
        uptimeS: 0,
        lastSeenMs: 0n,
      },
    }).catch((e: unknown) => e)) as RpcCallError;
    client.close();
    expect([error.grpcStatus, error.code]).toEqual([status.PERMISSION_DENIED, 'NOT_YOUR_NODE_ID']);
  });

  it('learns peers from NATS announcements', async () => {
    const peer = await newPeer(4);
    const nc = await connect({ servers: nats.url });
    nc.publish(
      `p2psip.${overlay}.peer.announce`,
      JSON.stringify({ nodeId: peer.hex, address: peer.server.address, uptimeS: 3 }),
    );
    nc.publish(`p2psip.${overlay}.peer.announce`, 'garbage that must be ignored');
    await nc.flush();
    await nc.close();
    await waitFor(async () => (await listed(peers[0].identity)).includes(peer.hex));
  });

  it('drops a peer that dies within 10 s', async () => {
    const victim = peers[2];
    await victim.server.stop({ graceMs: 0 });
    const started = Date.now();
    await waitFor(async () => !(await listed(peers[0].identity)).includes(victim.hex), 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
