import type { NodeId } from '@p2psip/identity';
import {
  ErrorCode,
  nodeDestination,
  resourceDestination,
  type Destination,
  type ErrorAnswer,
  type MessageBody,
  type OverlayMessage,
} from './messages';
import { SECOND_MS } from './settings';
import { FakeLink, createTestnet, installRouteProbe, routeProbe, type Testnet } from './testing';

const settings = { updateIntervalMs: 5 * SECOND_MS, pingIntervalMs: 5 * SECOND_MS };

describe('overlay — malformed and hostile messages', () => {
  let net: Testnet;
  let fake: FakeLink;
  const fakeId = 0x1234n as NodeId;

  beforeEach(async () => {
    net = createTestnet(5, { seed: 31, settings });
    for (const node of net.nodes) installRouteProbe(node);
    await net.joinSequentially();
    await net.runUntil(() => net.isRingConsistent(), 10 * SECOND_MS);
    fake = new FakeLink(fakeId);
    net.nodes[0].accept(fake);
  });

  async function errorFor(header: Partial<OverlayMessage['header']>, body?: MessageBody) {
    fake.sent.length = 0;
    fake.inject(header, body);
    await net.runFor(SECOND_MS);
    const answer = fake.sent.find((m) => m.body.type === 'error');
    // Back along the reversed via list: the previous hop first.
    expect(answer?.header.destinations[0]).toEqual(nodeDestination(fakeId));
    return (answer?.body as ErrorAnswer | undefined)?.code;
  }

  async function stillWorks(): Promise<void> {
    const r = await net.settle(routeProbe(net.nodes[0], 5n << 100n), 30 * SECOND_MS);
    expect(r.responsible).toBe(true);
  }

  const far = (): Destination => nodeDestination(net.nodes[3].nodeId);

  it('answers TTL 0 for another node with Error_TTL_Exceeded', async () => {
    expect(await errorFor({ ttl: 0, destinations: [far()] })).toBe(ErrorCode.TtlExceeded);
    await stillWorks();
  });

  it('answers a via list that already holds it with Error_Loop_Detected', async () => {
    const via = [nodeDestination(net.nodes[0].nodeId)];
    expect(await errorFor({ via, destinations: [far()] })).toBe(ErrorCode.LoopDetected);
    await stillWorks();
  });

  it('answers 1000 destinations with Error_Invalid_Message', async () => {
    const destinations = Array.from({ length: 1000 }, () => far());
    expect(await errorFor({ destinations })).toBe(ErrorCode.InvalidMessage);
    await stillWorks();
  });

  it('answers an unknown request type and a TTL above the initial TTL with Error_Invalid_Message', async () => {
    const self = [nodeDestination(net.nodes[0].nodeId)];
    expect(await errorFor({ destinations: self }, { type: 'bogus_req' })).toBe(ErrorCode.InvalidMessage);
    expect(await errorFor({ ttl: 101, destinations: self })).toBe(ErrorCode.InvalidMessage);
    expect(await errorFor({ destinations: [resourceDestination(1n), far()] })).toBe(ErrorCode.InvalidMessage);
    await stillWorks();
  });

  it('survives garbage that is not a message at all', async () => {
    fake.handler?.onLinkMessage(fake, {} as OverlayMessage);
    fake.handler?.onLinkMessage(fake, { header: { destinations: 'x' } } as unknown as OverlayMessage);
    const bad = { type: 'update_req', update: { type: 'full', successors: ['nope'] } };
    expect(await errorFor({ destinations: [nodeDestination(net.nodes[0].nodeId)] }, bad)).toBe(
      ErrorCode.InvalidMessage,
    );
    await stillWorks();
  });

  it('refuses a Join that does not come from the joiner itself', async () => {
    const body = { type: 'join_req', joiningPeerId: 0x9999n };
    const code = await errorFor({ destinations: [nodeDestination(net.nodes[0].nodeId)] }, body);
    expect(code).toBe(ErrorCode.Forbidden);
    expect(net.nodes[0].neighbors().predecessors).not.toContain(0x9999n);
  });

  it('refuses an Update relayed for another node, and oversized Update lists (regression: a neighbour could speak for anyone)', async () => {
    const spoofed = nodeDestination(net.nodes[2].nodeId);
    const update = (list: NodeId[]) => ({
      type: 'update_req',
      update: { uptimeS: 1, type: 'neighbors', predecessors: list, successors: list, fingers: [] },
    });
    const relayed = await errorFor(
      { via: [spoofed], destinations: [nodeDestination(net.nodes[0].nodeId)] },
      update([0x7777n as NodeId]),
    );
    expect(relayed).toBe(ErrorCode.Forbidden);
    const huge = Array.from({ length: 200 }, (_, i) => BigInt(i + 1) as NodeId);
    // A new transaction id: a repeated one would get the cached answer to the first request.
    const oversized = await errorFor(
      { transactionId: 78n, destinations: [nodeDestination(net.nodes[0].nodeId)] },
      update(huge),
    );
    expect(oversized).toBe(ErrorCode.InvalidMessage);
    await stillWorks();
  });
});

describe('overlay — end-to-end retransmission', () => {
  it('succeeds after the first two transmissions are lost, with one transaction id, handled once', async () => {
    const net = createTestnet(10, { seed: 41, settings });
    await net.joinSequentially();
    await net.runUntil(() => net.isRingConsistent(), 10 * SECOND_MS);
    const target = 1n << 126n;
    const owner = net.responsibleFor(target);
    const handled: bigint[] = [];
    for (const node of net.nodes) {
      node.handle('count_req', (r) => {
        handled.push(r.message.header.transactionId);
        return { type: 'count_ans' };
      });
    }
    const seen: bigint[] = [];
    let droppedAnswer = false;
    net.lossHook = (m) => {
      if (m.body.type === 'count_req' && m.header.via.length === 0) {
        seen.push(m.header.transactionId);
        return seen.length <= 2;
      }
      // Lose the first answer too: the retransmission must be served from the answer cache.
      if (m.body.type === 'count_ans' && !droppedAnswer) return (droppedAnswer = true);
      return false;
    };
    const origin = net.members.find((m) => m !== owner) ?? net.members[0];
    const started = net.clock.now();
    const answer = await net.settle(
      origin.node.request(resourceDestination(target), { type: 'count_req' }),
      30 * SECOND_MS,
    );
    expect(answer.from).toBe(owner.nodeId);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(1);
    expect(handled).toEqual([seen[0]]);
    // Three timer periods passed: two lost requests and one lost answer.
    expect(net.clock.now() - started).toBeGreaterThanOrEqual(3 * 3 * SECOND_MS);
  });

  it('fails with REQUEST_TIMEOUT after every transmission is lost', async () => {
    const net = createTestnet(3, { seed: 42, settings });
    await net.joinSequentially();
    net.lossHook = (m) => m.body.type === 'count_req';
    const p = net.nodes[1].request(nodeDestination(net.nodes[2].nodeId), { type: 'count_req' });
    await expect(net.settle(p, 30 * SECOND_MS)).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });
});
