import { type NodeId, idToHex } from '@p2psip/identity';
import type { Link, LinkHandler, OverlayMessage } from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import { type RpcServer, bindService, clientCredentials, createClient, startRpcServer } from '@p2psip/rpc';
import { silentLogger } from '@p2psip/telemetry';
import { type TestNodeIdentity, type TestPki, createTestPki } from '@p2psip/testing';
import { dialLink } from './link-dialer';
import { type LinkAgreement, makeHello } from './link-hello';
import { linkHandler } from './link-service';
import { createProtobufCodec } from './codec';

const agreement: LinkAgreement = { overlay: 'p2psip.test', configurationSequence: () => 1 };
const codec = createProtobufCodec({ agreement });

// Ping padding carries a marker, so the test can see order and identity of what arrived.
function message(text: string): OverlayMessage {
  return {
    header: { ttl: 100, transactionId: 1n, via: [], destinations: [] },
    body: { type: 'ping_req', padding: Buffer.from(text) } as never,
  };
}

class Recorder implements LinkHandler {
  readonly messages: string[] = [];
  closes = 0;
  onLinkMessage(_link: Link, received: OverlayMessage): void {
    this.messages.push(Buffer.from((received.body as unknown as { padding: Uint8Array }).padding).toString());
  }
  onLinkClose(): void {
    this.closes++;
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe('overlay-grpc — links over gRPC streams with mutual TLS', () => {
  let pki: TestPki;
  let serverIdentity: TestNodeIdentity;
  let server: RpcServer;
  const accepted: Link[] = [];
  let revoked = new Set<string>();

  beforeAll(async () => {
    pki = await createTestPki();
    serverIdentity = await pki.issue();
    server = await startRpcServer({
      tls: serverIdentity,
      logger: silentLogger(),
      services: [
        bindService(overlayV1.OverlayLinkServiceService, {
          link: linkHandler({
            agreement,
            codec,
            endpointFor: (expected) =>
              expected === undefined || expected === serverIdentity.nodeIds[0]
                ? { nodeId: serverIdentity.nodeIds[0], accept: (link) => accepted.push(link) }
                : undefined,
            isRevoked: (certificate) => revoked.has(certificate.serialNumber),
          }),
        }),
      ],
    });
  });

  afterAll(() => server.stop({ graceMs: 100 }));

  const dial = (identity: TestNodeIdentity, expected: NodeId | undefined) =>
    dialLink({
      address: server.address,
      localNodeId: identity.nodeIds[0],
      expectedNodeId: expected,
      identity,
      agreement,
      codec,
    });

  it('links two nodes, each learning the other’s Node-ID from its certificate, and carries messages in order both ways', async () => {
    const alice = await pki.issue();
    const outbound = await dial(alice, serverIdentity.nodeIds[0]);
    await until(() => accepted.length === 1);
    const inbound = accepted[0];
    expect(outbound.remoteNodeId).toBe(serverIdentity.nodeIds[0]);
    expect(inbound.remoteNodeId).toBe(alice.nodeIds[0]);
    expect([outbound.outbound, inbound.outbound]).toEqual([true, false]);

    const atServer = new Recorder();
    const atAlice = new Recorder();
    for (let i = 0; i < 50; i++) outbound.send(message(`a${i}`));
    inbound.setHandler(atServer); // messages that came before the handler are delivered now
    outbound.setHandler(atAlice);
    inbound.send(message('hello back'));
    await until(() => atServer.messages.length === 50 && atAlice.messages.length === 1);
    expect(atServer.messages).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}`));

    outbound.close();
    outbound.close();
    await until(() => atServer.closes === 1);
    expect(atAlice.closes).toBe(1);
    outbound.send(message('after close')); // a no-op, never a throw
  });

  it('refuses to link when the server is not the Node-ID the caller attached to', async () => {
    const alice = await pki.issue();
    await expect(dial(alice, (await pki.issue()).nodeIds[0])).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
    });
  });

  it('refuses a hello that claims a Node-ID the certificate does not carry', async () => {
    const mallory = await pki.issue();
    const victim = await pki.issue();
    const client = createClient(
      overlayV1.OverlayLinkServiceClient,
      server.address,
      clientCredentials(mallory),
    );
    const call = client.link();
    const ended = new Promise<string>((resolve) =>
      call.on('error', (error: Error) => resolve(error.message)),
    );
    call.write({
      sequence: 0n,
      kind: { $case: 'hello', hello: makeHello(agreement, victim.nodeIds[0], undefined) },
    });
    expect(await ended).toMatch(/Node-ID its certificate does not carry/);
    client.close();
  });

  it('refuses revoked certificates and certificates of another CA', async () => {
    const alice = await pki.issue();
    revoked = new Set([alice.certificate.serialNumber]);
    await expect(dial(alice, undefined)).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    revoked = new Set();
    const stranger = await (await createTestPki()).issue();
    await expect(dial({ ...stranger, caPem: pki.caPem }, undefined)).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
    });
  });

  it('drops a message it cannot encode and keeps the link (regression: it closed the link to the next hop)', async () => {
    const alice = await pki.issue();
    const before = accepted.length;
    const outbound = await dial(alice, undefined);
    await until(() => accepted.length === before + 1);
    const inbound = accepted.at(-1) as Link;
    const recorder = new Recorder();
    inbound.setHandler(recorder);
    outbound.send({
      header: { ttl: 100, transactionId: 2n, via: [], destinations: [] },
      body: { type: 'unknown' },
    });
    outbound.send(message('after the unencodable one'));
    await until(() => recorder.messages.length === 1);
    expect(recorder.closes).toBe(0);
    outbound.close();
  });

  it('drops frames it cannot decode and keeps the link', async () => {
    const alice = await pki.issue();
    const before = accepted.length;
    const outbound = await dial(alice, undefined);
    await until(() => accepted.length === before + 1);
    const inbound = accepted.at(-1) as Link;
    const recorder = new Recorder();
    inbound.setHandler(recorder);
    (outbound as unknown as { stream: { write(frame: overlayV1.LinkFrame): void } }).stream.write({
      sequence: 9n,
      kind: {
        $case: 'message',
        message: {
          header: undefined,
          contents: Buffer.from('garbage'),
          security: undefined,
        } as unknown as overlayV1.Message,
      },
    });
    outbound.send(message('still fine'));
    await until(() => recorder.messages.length === 1);
    expect(recorder.messages).toEqual(['still fine']);
    expect(idToHex(inbound.remoteNodeId)).toBe(idToHex(alice.nodeIds[0]));
    outbound.close();
  });
});
