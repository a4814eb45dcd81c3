import { ringAdd, type NodeId } from '@p2psip/identity';
import {
  ErrorCode,
  nodeDestination,
  type AttachRequest,
  type ErrorAnswer,
  type OverlayMessage,
  type UpdateRequest,
} from './messages';
import { MINUTE_MS, SECOND_MS } from './settings';
import { FakeLink, createTestnet, installRouteProbe, routeProbe, type Testnet } from './testing';

const CAP = 4;
// Finger refresh only at the join and a minute later, so that the Attaches counted are the test's.
const settings = { updateIntervalMs: 5 * SECOND_MS, pingIntervalMs: MINUTE_MS, maxConcurrentAttaches: CAP };
/** How long an answered requester is expected to dial: requestTimeoutMs × maxTransmissions. */
const AWAIT_LINK_MS = 3 * SECOND_MS * 5;

describe('overlay — attach limits', () => {
  let net: Testnet;

  beforeEach(async () => {
    net = createTestnet(5, { seed: 51, settings });
    for (const node of net.nodes) installRouteProbe(node);
    await net.joinSequentially();
    expect(await net.runUntil(() => net.isRingConsistent(), 10 * SECOND_MS)).toBe(true);
    await net.runFor(10 * SECOND_MS);
  });

  async function stillRoutes(): Promise<void> {
    for (const node of net.nodes) {
      const r = await net.settle(routeProbe(node, 5n << 100n), 30 * SECOND_MS);
      expect(r.responsible).toBe(true);
    }
  }

  describe('inbound Attach requests', () => {
    let fake: FakeLink;
    let transaction = 1000n;

    beforeEach(async () => {
      // Finger refresh answers that were never followed by a link hold slots for a while.
      await net.runFor(AWAIT_LINK_MS);
      expect(net.nodes[0].attaches.inboundInProgress).toBe(0);
      fake = new FakeLink(0x1234n as NodeId);
      net.nodes[0].accept(fake);
    });

    /** An Attach to node 0 from `origin` (relayed by the fake link); resolves with the answer type or error code. */
    async function attachFrom(origin: NodeId): Promise<string | number> {
      const transactionId = ++transaction;
      const body: AttachRequest = {
        type: 'attach_req',
        candidates: [{ address: 'nowhere', priority: 1 }],
        sendUpdate: false,
      };
      fake.inject(
        {
          transactionId,
          via: [nodeDestination(origin)],
          destinations: [nodeDestination(net.nodes[0].nodeId)],
        },
        body,
      );
      await net.runFor(100);
      const answer = fake.sent.find((m: OverlayMessage) => m.header.transactionId === transactionId);
      if (!answer) throw new Error('no answer');
      return answer.body.type === 'error' ? (answer.body as ErrorAnswer).code : answer.body.type;
    }

    const origin = (i: number): NodeId => (0x5000n + BigInt(i)) as NodeId;

    it('answers Attaches beyond maxConcurrentAttaches from unlinked nodes with Error_In_Progress', async () => {
      const answers: (string | number)[] = [];
      for (let i = 0; i < 10; i++) answers.push(await attachFrom(origin(i)));
      expect(answers.slice(0, CAP)).toEqual(Array(CAP).fill('attach_ans'));
      expect(answers.slice(CAP)).toEqual(Array(10 - CAP).fill(ErrorCode.InProgress));
      expect(net.nodes[0].attaches.inboundInProgress).toBe(CAP);
      // A requester already waited for keeps its slot: its repeated Attach is answered.
      expect(await attachFrom(origin(0))).toBe('attach_ans');
      // A node linked already takes no slot.
      const linked = [...net.nodes[0].connections.values()].map((link) => link.remoteNodeId);
      expect(await attachFrom(linked[0])).toBe('attach_ans');
      await stillRoutes();
    });

    it('frees a slot when the requester’s link arrives, and every slot when requesters never dial', async () => {
      for (let i = 0; i < CAP; i++) expect(await attachFrom(origin(i))).toBe('attach_ans');
      expect(await attachFrom(origin(CAP))).toBe(ErrorCode.InProgress);

      net.nodes[0].accept(new FakeLink(origin(0)));
      expect(await attachFrom(origin(CAP))).toBe('attach_ans');
      expect(await attachFrom(origin(CAP + 1))).toBe(ErrorCode.InProgress);

      await net.runFor(AWAIT_LINK_MS);
      expect(net.nodes[0].attaches.inboundInProgress).toBe(0);
      for (let i = 0; i < CAP; i++) expect(await attachFrom(origin(100 + i))).toBe('attach_ans');
    });
  });

  describe('Update lists', () => {
    it('start at most maxConcurrentAttaches Attaches, and offer the dropped candidates again with the next Update', async () => {
      const node = net.nodes[0];
      // A neighbour just after node 0 that lists 20 peers between them: all of them are ids the
      // neighbour table wants, and all are to be reached through that neighbour (who never answers).
      const neighbour = ringAdd(node.nodeId, 1000n) as NodeId;
      const offered = Array.from({ length: 20 }, (_, i) => ringAdd(node.nodeId, BigInt(i + 1)) as NodeId);
      const fake = new FakeLink(neighbour);
      node.accept(fake);
      let transactionId = 2000n;
      const sendUpdate = (): void => {
        const body: UpdateRequest = {
          type: 'update_req',
          update: {
            uptimeS: 1,
            type: 'neighbors',
            predecessors: [node.nodeId],
            successors: offered,
            fingers: [],
          },
        };
        fake.inject({ transactionId: ++transactionId, destinations: [nodeDestination(node.nodeId)] }, body);
      };
      const attachedTo = (): Set<NodeId> =>
        new Set(
          fake.sent
            .filter((m) => m.body.type === 'attach_req')
            .map((m) => m.header.destinations.at(-1))
            .flatMap((d) => (d?.kind === 'node' && offered.includes(d.id) ? [d.id] : [])),
        );

      let most = 0;
      const sample = (): boolean => {
        most = Math.max(most, node.attaches.outboundInProgress);
        return false;
      };
      sendUpdate();
      await net.runUntil(sample, 2 * SECOND_MS);
      expect(attachedTo().size).toBe(CAP);
      expect(most).toBe(CAP);

      // The Attaches through the silent neighbour time out; their targets are held down, the
      // candidates that found no slot are not, and get slots now.
      await net.runUntil(sample, AWAIT_LINK_MS + SECOND_MS);
      expect(node.attaches.outboundInProgress).toBe(0);
      sendUpdate();
      await net.runUntil(sample, 2 * SECOND_MS);
      expect(attachedTo().size).toBe(2 * CAP);
      expect(most).toBe(CAP);
    });
  });
});
