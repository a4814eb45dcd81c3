import type { NodeId } from '@p2psip/identity';
import {
  ErrorCode,
  type Link,
  type LinkHandler,
  type OverlayMessage,
  OverlayNode,
  nodeDestination,
} from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import { type RpcServer, bindService, startRpcServer } from '@p2psip/rpc';
import { silentLogger } from '@p2psip/telemetry';
import { type TestNodeIdentity, createTestPki } from '@p2psip/testing';
import { createProtobufCodec } from './codec';
import { GrpcLinkTransport } from './grpc-link-transport';
import { LinkTrunks } from './link-trunks';
import type { Trunk } from './trunk';

const agreement = { overlay: 'p2psip.test', configurationSequence: () => 1 };
const codec = createProtobufCodec({ agreement });
const clock = {
  now: () => Date.now(),
  schedule: (delayMs: number, fn: () => void) => {
    const timer = setTimeout(fn, delayMs);
    return { cancel: () => clearTimeout(timer) };
  },
};

class Answers implements LinkHandler {
  readonly received: OverlayMessage[] = [];
  onLinkMessage(_link: Link, message: OverlayMessage): void {
    this.received.push(message);
  }
  onLinkClose(): void {}
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

// What a hostile or broken neighbour can send over a real gRPC link, and what the peer answers.
describe('overlay-grpc — bad messages over a real link', () => {
  let server: RpcServer;
  let node: OverlayNode;
  let serverIdentity: TestNodeIdentity;
  let link: Link;
  let clientNodeId: NodeId;
  let trunks: LinkTrunks;
  let clientTrunks: LinkTrunks;
  const answers = new Answers();
  let sent = 0n;

  beforeAll(async () => {
    const pki = await createTestPki();
    serverIdentity = await pki.issue();
    const nodeId = serverIdentity.nodeIds[0];
    const holder: { node?: OverlayNode } = {};
    trunks = new LinkTrunks({ identity: serverIdentity, agreement, codec });
    server = await startRpcServer({
      tls: serverIdentity,
      logger: silentLogger(),
      services: [
        bindService(overlayV1.OverlayLinkServiceService, { link: trunks.handler(() => holder.node) }),
      ],
    });
    const transport = new GrpcLinkTransport({ nodeId, listenAddress: server.address, trunks });
    node = new OverlayNode({ clock, transport }, { nodeId });
    holder.node = node;
    trunks.register(node, server.address);
    await node.start({ first: true });
    const client = await pki.issue();
    clientNodeId = client.nodeIds[0];
    clientTrunks = new LinkTrunks({ identity: client, agreement, codec });
    link = await clientTrunks.connect(clientNodeId, server.address, nodeId);
    link.setHandler(answers);
  });

  afterAll(async () => {
    link.close();
    clientTrunks.stop();
    trunks.stop();
    await node.stop();
    await server.stop({ graceMs: 100 });
  });

  function send(header: Partial<OverlayMessage['header']>): bigint {
    const transactionId = ++sent;
    link.send({
      header: {
        ttl: 100,
        transactionId,
        via: [],
        destinations: [nodeDestination(serverIdentity.nodeIds[0])],
        ...header,
      },
      body: { type: 'ping_req' },
    });
    return transactionId;
  }

  const answerTo = (transactionId: bigint) =>
    answers.received.find((message) => message.header.transactionId === transactionId);

  it('answers a ping addressed to the peer', async () => {
    const id = send({});
    await until(() => answerTo(id) !== undefined);
    expect(answerTo(id)?.body.type).toBe('ping_ans');
  });

  it('answers TTL 0, a looping via list and 1,000 destinations with errors, and keeps serving', async () => {
    const self = nodeDestination(serverIdentity.nodeIds[0]);
    // Addressed back to us, a node the peer is linked to: the peer would forward, so TTL, loop and
    // size rules apply (a lone peer answers Not_Found for ids it cannot reach at all).
    const elsewhere = nodeDestination(clientNodeId);
    const ttl = send({ ttl: 0, destinations: [elsewhere] });
    const loop = send({ via: [self], destinations: [elsewhere] });
    const many = send({ destinations: Array.from({ length: 1000 }, () => elsewhere) });
    await until(() => [ttl, loop, many].every((id) => answerTo(id) !== undefined));
    const codeOf = (id: bigint) => (answerTo(id)?.body as { code?: number }).code;
    expect(codeOf(ttl)).toBe(ErrorCode.TtlExceeded);
    expect(codeOf(loop)).toBe(ErrorCode.LoopDetected);
    expect(codeOf(many)).toBe(ErrorCode.InvalidMessage);
    const after = send({});
    await until(() => answerTo(after)?.body.type === 'ping_ans');
  });

  it('drops garbage frames and keeps the link', async () => {
    const [trunk] = (clientTrunks as unknown as { trunks: Set<Trunk> }).trunks;
    const raw = trunk as unknown as { out: { write(frame: overlayV1.LinkFrame): void } };
    raw.out.write({
      sequence: 99n,
      link: (link as unknown as { id: number }).id,
      kind: {
        $case: 'message',
        message: { header: undefined, contents: Buffer.from([0xff, 0x01]), security: undefined },
      },
    });
    const id = send({});
    await until(() => answerTo(id)?.body.type === 'ping_ans');
  });
});
