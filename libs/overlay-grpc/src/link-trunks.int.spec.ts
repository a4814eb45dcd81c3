import { type NodeId, idToHex, randomNodeId } from '@p2psip/identity';
import type { Link, LinkHandler, OverlayMessage } from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import { type RpcServer, bindService, clientCredentials, createClient, startRpcServer } from '@p2psip/rpc';
import { silentLogger } from '@p2psip/telemetry';
import { type TestNodeIdentity, type TestPki, createTestPki } from '@p2psip/testing';
import { createProtobufCodec } from './codec';
import type { LinkEndpoint } from './link-endpoint';
import { type LinkAgreement, makeHello } from './link-hello';
import { LinkTrunks } from './link-trunks';

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

/** A peer process: one identity for all its peers, one server (endpoint) per peer, one LinkTrunks. */
interface TestProcess {
  readonly identity: TestNodeIdentity;
  readonly trunks: LinkTrunks;
  readonly servers: RpcServer[];
  /** Links accepted per hosted Node-ID. */
  readonly accepted: Map<NodeId, Link[]>;
  address(index: number): string;
}

async function startProcess(
  identity: TestNodeIdentity,
  options: { revoked?: () => Set<string>; idleMs?: number } = {},
): Promise<TestProcess> {
  const trunks = new LinkTrunks({
    identity,
    agreement,
    codec,
    isRevoked: (certificate) => options.revoked?.().has(certificate.serialNumber) ?? false,
    ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
  });
  const accepted = new Map<NodeId, Link[]>();
  const servers: RpcServer[] = [];
  for (const nodeId of identity.nodeIds) {
    const endpoint: LinkEndpoint = {
      nodeId,
      accept: (link) => accepted.set(nodeId, [...(accepted.get(nodeId) ?? []), link]),
    };
    const server = await startRpcServer({
      tls: identity,
      logger: silentLogger(),
      services: [bindService(overlayV1.OverlayLinkServiceService, { link: trunks.handler(() => endpoint) })],
    });
    trunks.register(endpoint, server.address);
    servers.push(server);
  }
  return { identity, trunks, servers, accepted, address: (i) => servers[i]?.address ?? '' };
}

/** The link `from` opened to the process's hosted peer `at`, once that end has it. */
async function acceptedLink(process: TestProcess, at: NodeId, from: NodeId): Promise<Link> {
  const find = () => (process.accepted.get(at) ?? []).find((link) => link.remoteNodeId === from);
  await until(() => find() !== undefined);
  return find() as Link;
}

async function stopProcess(process: TestProcess): Promise<void> {
  process.trunks.stop();
  await Promise.all(process.servers.map((server) => server.stop({ graceMs: 100 })));
}

describe('overlay-grpc — links over trunks with mutual TLS', () => {
  let pki: TestPki;
  let revoked = new Set<string>();
  let b: TestProcess;
  const started: TestProcess[] = [];

  beforeAll(async () => {
    pki = await createTestPki();
    b = await startProcess(await pki.issue({ nodeIds: [randomNodeId(), randomNodeId()] }), {
      revoked: () => revoked,
    });
  });

  afterAll(async () => {
    for (const process of [...started, b]) await stopProcess(process);
  });

  const processOf = async (nodeIds = [randomNodeId()]) => {
    const process = await startProcess(await pki.issue({ nodeIds }), { revoked: () => revoked });
    started.push(process);
    return process;
  };
  const [b1, b2] = [() => b.identity.nodeIds[0], () => b.identity.nodeIds[1]];

  /** A new process's peer linked to b's first peer, with a recorder on b's end of the link. */
  const linkToB1 = async () => {
    const a = await processOf();
    const outbound = await a.trunks.connect(a.identity.nodeIds[0], b.address(0), b1());
    const recorder = new Recorder();
    (await acceptedLink(b, b1(), a.identity.nodeIds[0])).setHandler(recorder);
    return { a, outbound, recorder };
  };

  it('links two peers, each learning the other’s Node-ID from its certificate, and carries messages in order both ways', async () => {
    const a = await processOf();
    const alice = a.identity.nodeIds[0];
    const outbound = await a.trunks.connect(alice, b.address(0), b1());
    const inbound = await acceptedLink(b, b1(), alice);
    expect(outbound.remoteNodeId).toBe(b1());
    expect([outbound.outbound, inbound.outbound]).toEqual([true, false]);
    expect([outbound.authenticatesRemote, inbound.authenticatesRemote]).toEqual([true, true]);

    const atB = new Recorder();
    const atAlice = new Recorder();
    for (let i = 0; i < 50; i++) outbound.send(message(`a${i}`));
    inbound.setHandler(atB); // messages that came before the handler are delivered now
    outbound.setHandler(atAlice);
    inbound.send(message('hello back'));
    await until(() => atB.messages.length === 50 && atAlice.messages.length === 1);
    expect(atB.messages).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}`));

    outbound.close();
    outbound.close();
    await until(() => atB.closes === 1);
    expect(atAlice.closes).toBe(1);
    outbound.send(message('after close')); // a no-op, never a throw
  });

  it('carries every link between two processes on one trunk, whichever end opens them', async () => {
    const a = await processOf([randomNodeId(), randomNodeId()]);
    const [a1, a2] = a.identity.nodeIds as [NodeId, NodeId];
    const links = [
      await a.trunks.connect(a1, b.address(0), b1()),
      // Dialled as B2's address, but B2 is in the certificate of the trunk already open to B.
      await a.trunks.connect(a2, b.address(1), b2()),
      await a.trunks.connect(a2, b.address(0), b1()),
    ];
    expect(links.map((link) => idToHex(link.remoteNodeId))).toEqual([b1(), b2(), b1()].map(idToHex));
    expect(a.trunks.trunkCount).toBe(1);
    // B opens a link back to a1 over the trunk A dialled: no new connection either way.
    const trunksAtB = b.trunks.trunkCount;
    const back = await b.trunks.connect(b2(), a.address(0), a1);
    expect(back.remoteNodeId).toBe(a1);
    expect(b.trunks.trunkCount).toBe(trunksAtB);
    expect(a.trunks.trunkCount).toBe(1);
    const atA1 = new Recorder();
    await until(() => (a.accepted.get(a1) ?? []).length === 1);
    (a.accepted.get(a1) ?? [])[0]?.setHandler(atA1);
    back.send(message('from b2'));
    await until(() => atA1.messages.length === 1);
    for (const link of [...links, back]) link.close();
  });

  it('links two peers of one process without a socket, through the codec', async () => {
    const a = await processOf([randomNodeId(), randomNodeId()]);
    const [a1, a2] = a.identity.nodeIds as [NodeId, NodeId];
    const mine = await a.trunks.connect(a1, a.address(1), a2);
    const byAddress = await a.trunks.connect(a2, a.address(0), undefined);
    expect([mine.remoteNodeId, byAddress.remoteNodeId]).toEqual([a2, a1]);
    expect(a.trunks.trunkCount).toBe(0);
    await until(() => (a.accepted.get(a2) ?? []).length === 1);
    const theirs = (a.accepted.get(a2) ?? [])[0];
    expect([mine.outbound, theirs.outbound, theirs.authenticatesRemote]).toEqual([true, false, true]);
    const atA2 = new Recorder();
    const atA1 = new Recorder();
    for (let i = 0; i < 20; i++) mine.send(message(`m${i}`));
    theirs.setHandler(atA2);
    mine.setHandler(atA1);
    theirs.send(message('back'));
    await until(() => atA2.messages.length === 20 && atA1.messages.length === 1);
    expect(atA2.messages).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    mine.close();
    await until(() => atA2.closes === 1 && atA1.closes === 1);
    byAddress.close();
  });

  it('refuses to link a peer to itself, by Node-ID or by its own address', async () => {
    const a = await processOf([randomNodeId(), randomNodeId()]);
    const [a1] = a.identity.nodeIds as [NodeId, NodeId];
    await expect(a.trunks.connect(a1, a.address(1), a1)).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
    });
    await expect(a.trunks.connect(a1, a.address(0), undefined)).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
    });
    expect(a.trunks.trunkCount).toBe(0);
  });

  it('opens links to several peers of a process at once over one trunk', async () => {
    const c = await processOf([randomNodeId(), randomNodeId(), randomNodeId()]);
    const a = await processOf();
    const alice = a.identity.nodeIds[0];
    const links = await Promise.all(
      c.identity.nodeIds.map((id, i) => a.trunks.connect(alice, c.address(i), id)),
    );
    expect(links.map((link) => link.remoteNodeId)).toEqual([...c.identity.nodeIds]);
    expect(a.trunks.trunkCount).toBe(1);
    for (const link of links) link.close();
  });

  it('refuses a link to a Node-ID the remote process does not host, and keeps the trunk', async () => {
    const a = await processOf();
    const alice = a.identity.nodeIds[0];
    await expect(a.trunks.connect(alice, b.address(0), randomNodeId())).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
    });
    // The trunk to B stays usable after a refused link.
    const link = await a.trunks.connect(alice, b.address(0), undefined);
    expect(link.remoteNodeId).toBe(b1());
    link.close();
  });

  it('refuses a hello that claims a Node-ID the certificate does not carry, and keeps the trunk', async () => {
    const mallory = await pki.issue();
    const victim = await pki.issue();
    const client = createClient(overlayV1.OverlayLinkServiceClient, b.address(0), clientCredentials(mallory));
    const call = client.link();
    const frames: overlayV1.LinkFrame[] = [];
    call.on('data', (frame: overlayV1.LinkFrame) => frames.push(frame));
    call.write({
      sequence: 0n,
      link: 1,
      kind: { $case: 'hello', hello: makeHello(agreement, victim.nodeIds[0], undefined) },
    });
    call.write({
      sequence: 0n,
      link: 3,
      kind: { $case: 'hello', hello: makeHello(agreement, mallory.nodeIds[0], undefined) },
    });
    await until(() => frames.length === 2);
    const [refusal, answer] = frames;
    expect(refusal?.link).toBe(1);
    expect(refusal?.kind?.$case === 'close' && refusal.kind.close.reason).toMatch(
      /Node-ID its certificate does not carry/,
    );
    expect(answer?.link).toBe(3);
    expect(answer?.kind?.$case).toBe('hello');
    call.on('error', () => undefined); // the cancellation below
    call.cancel();
    client.close();
  });

  /** A raw Link call to b from a process of its own, opening link 1 to b's first peer. */
  async function rawLink(acceptsBatches: boolean) {
    const raw = await pki.issue();
    const client = createClient(overlayV1.OverlayLinkServiceClient, b.address(0), clientCredentials(raw));
    const call = client.link();
    const frames: overlayV1.LinkFrame[] = [];
    call.on('data', (frame: overlayV1.LinkFrame) => frames.push(frame));
    call.on('error', () => undefined); // the cancellation at the end
    const hello = { ...makeHello(agreement, raw.nodeIds[0], b1()), acceptsBatches };
    call.write({ sequence: 0n, link: 1, kind: { $case: 'hello', hello } });
    const inbound = await acceptedLink(b, b1(), raw.nodeIds[0]);
    const stop = () => {
      call.cancel();
      client.close();
    };
    return { call, frames, inbound, stop };
  }

  /** The ping paddings the frames carry, batched or not, in order. */
  function paddings(frames: readonly overlayV1.LinkFrame[]): string[] {
    const messages = frames.flatMap((frame) =>
      frame.kind?.$case === 'batch'
        ? frame.kind.batch.frames.map((bytes) => overlayV1.LinkFrame.decode(bytes))
        : [frame],
    );
    return messages.flatMap((frame) => {
      if (frame.kind?.$case !== 'message') return [];
      const decoded = codec.decode(frame.kind.message);
      return decoded
        ? [Buffer.from((decoded.body as unknown as { padding: Uint8Array }).padding).toString()]
        : [];
    });
  }

  it('batches the frames a busy trunk queues, for a remote whose hello reads batches', async () => {
    const { frames, inbound, stop } = await rawLink(true);
    const sent = Array.from({ length: 300 }, (_, i) => `m${i}`);
    for (const text of sent) inbound.send(message(text));
    await until(() => paddings(frames).length === sent.length);
    expect(paddings(frames)).toEqual(sent);
    const batches = frames.filter((frame) => frame.kind?.$case === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(sent.length);
    stop();
  });

  it('delivers the frames still queued for a busy trunk when its process closes it', async () => {
    const { a, outbound, recorder } = await linkToB1();
    const sent = Array.from({ length: 300 }, (_, i) => `q${i}`);
    for (const text of sent) outbound.send(message(text));
    a.trunks.stop();
    await until(() => recorder.closes === 1);
    expect(recorder.messages).toEqual(sent);
  });

  it('sends single frames to a remote whose hello does not read batches (an older build)', async () => {
    const { frames, inbound, stop } = await rawLink(false);
    const sent = Array.from({ length: 300 }, (_, i) => `m${i}`);
    for (const text of sent) inbound.send(message(text));
    await until(() => paddings(frames).length === sent.length);
    expect(paddings(frames)).toEqual(sent);
    expect(frames.some((frame) => frame.kind?.$case === 'batch')).toBe(false);
    stop();
  });

  it('delivers the good frames of a received batch in order, skipping garbage and nested batches', async () => {
    const { call, inbound, stop } = await rawLink(true);
    const recorder = new Recorder();
    inbound.setHandler(recorder);
    const frame = (text: string, sequence: bigint): Uint8Array =>
      overlayV1.LinkFrame.encode({
        sequence,
        link: 1,
        kind: { $case: 'message', message: codec.encode(message(text)) },
      }).finish();
    const nested = overlayV1.LinkFrame.encode({
      sequence: 0n,
      link: 0,
      kind: { $case: 'batch', batch: { frames: [Buffer.from(frame('nested', 9n))] } },
    }).finish();
    const batch = [frame('one', 1n), Buffer.from('\xff\xff garbage'), nested, frame('two', 2n)];
    call.write({
      sequence: 0n,
      link: 0,
      kind: { $case: 'batch', batch: { frames: batch.map((b) => Buffer.from(b)) } },
    });
    await until(() => recorder.messages.length === 2);
    expect(recorder.messages).toEqual(['one', 'two']);
    expect(recorder.closes).toBe(0);
    stop();
  });

  it('refuses revoked certificates and certificates of another CA', async () => {
    const a = await processOf();
    revoked = new Set([a.identity.certificate.serialNumber]);
    await expect(a.trunks.connect(a.identity.nodeIds[0], b.address(0), undefined)).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
    });
    revoked = new Set();
    const stranger = await (await createTestPki()).issue();
    const foreign = new LinkTrunks({ identity: { ...stranger, caPem: pki.caPem }, agreement, codec });
    await expect(foreign.connect(stranger.nodeIds[0], b.address(0), undefined)).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
    });
    foreign.stop();
  });

  it('drops a message it cannot encode, and frames it cannot decode, and keeps the link', async () => {
    const { a, outbound, recorder } = await linkToB1();
    outbound.send({
      header: { ttl: 100, transactionId: 2n, via: [], destinations: [] },
      body: { type: 'unknown' },
    });
    const trunk = (a.trunks as unknown as { trunks: Set<{ out: { write(f: overlayV1.LinkFrame): void } }> })
      .trunks;
    const [raw] = [...trunk];
    raw?.out.write({
      sequence: 9n,
      link: (outbound as unknown as { id: number }).id,
      kind: {
        $case: 'message',
        message: { header: undefined, contents: Buffer.from('garbage'), security: undefined },
      },
    });
    outbound.send(message('still fine'));
    await until(() => recorder.messages.length === 1);
    expect(recorder.messages).toEqual(['still fine']);
    expect(recorder.closes).toBe(0);
    outbound.close();
  });

  it('closes a trunk that carried no link for its idle time', async () => {
    const a = await startProcess(await pki.issue(), { idleMs: 200 });
    started.push(a);
    const link = await a.trunks.connect(a.identity.nodeIds[0], b.address(0), undefined);
    expect(a.trunks.trunkCount).toBe(1);
    link.close();
    await until(() => a.trunks.trunkCount === 0);
  });
});
