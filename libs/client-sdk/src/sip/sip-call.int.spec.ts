import { createTestPki, type TestNodeIdentity } from '@p2psip/testing';
import { type CalleeBranch, type CallEvent, placeCall, sendMessage } from './sip-caller';
import { type ListenEvent, SipAnswerer } from './sip-answerer';
import { SipConnection } from './sip-connection';
import { dialApp } from '../app-channel/tls-channel';

const AOR = 'bob@p2psip.test';
const parties = { from: 'sip:alice@p2psip.test', to: `sip:${AOR}`, timeoutMs: 10_000 };

// The SIP user agents of `p2psip call|message|listen` over real mutual TLS, without the overlay
// (which only introduces the two ends: AppAttach, covered end to end in tools/e2e).
describe('client-sdk — SIP calls and messages between thin clients', () => {
  let alice: TestNodeIdentity;
  let bob: TestNodeIdentity;
  let bobPhone: TestNodeIdentity;
  const answerers: SipAnswerer[] = [];
  const connections: SipConnection[] = [];

  beforeAll(async () => {
    const pki = await createTestPki();
    alice = await pki.issue({ userName: 'alice@p2psip.test' });
    bob = await pki.issue({ userName: AOR });
    bobPhone = await pki.issue({ userName: AOR });
  });

  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.close();
    await Promise.all(answerers.splice(0).map((a) => a.close()));
  });

  async function device(who: TestNodeIdentity, ringMs: number) {
    const answerer = await SipAnswerer.start({ identity: who, aors: [AOR], ringMs });
    answerers.push(answerer);
    const events: ListenEvent[] = [];
    answerer.on('event', (event) => events.push(event));
    const connection = new SipConnection(
      await dialApp(answerer.address, alice, who.nodeIds[0], { timeoutMs: 5000 }),
    );
    connections.push(connection);
    const branch: CalleeBranch = { nodeId: who.nodeIds[0].toString(16), connection };
    return { branch, events };
  }

  it('delivers a MESSAGE and reports it', async () => {
    const desk = await device(bob, 0);
    const answers = await sendMessage([desk.branch], parties, 'hello');
    expect(answers).toEqual([{ status: 200, reason: 'OK', nodeId: desk.branch.nodeId }]);
    expect(desk.events).toEqual([
      expect.objectContaining({ event: 'message', text: 'hello', from: parties.from }),
    ]);
  });

  it('runs INVITE, 180, 200, ACK and BYE', async () => {
    const desk = await device(bob, 50);
    const steps: CallEvent[] = [];
    const result = await placeCall([desk.branch], { ...parties, holdMs: 50 }, (e) => steps.push(e));
    expect(result).toEqual({ answeredBy: desk.branch.nodeId, status: 200 });
    expect(steps.map((s) => s.event)).toEqual(['trying', 'ringing', 'answered', 'acked', 'bye', 'ended']);
    await waitUntil(() => desk.events.length === 4);
    expect(desk.events.map((e) => (e.event === 'call' ? e.state : e.event))).toEqual([
      'ringing',
      'answered',
      'established',
      'ended',
    ]);
  });

  it('forks to two devices: the first 200 wins, the other is cancelled (487)', async () => {
    const desk = await device(bob, 50);
    const phone = await device(bobPhone, 3000);
    const steps: CallEvent[] = [];
    const result = await placeCall([desk.branch, phone.branch], { ...parties, holdMs: 50 }, (e) =>
      steps.push(e),
    );
    expect(result.answeredBy).toBe(desk.branch.nodeId);
    expect(steps).toContainEqual(
      expect.objectContaining({ event: 'cancelled', nodeId: phone.branch.nodeId }),
    );
    expect(steps).toContainEqual(
      expect.objectContaining({ event: 'failed', nodeId: phone.branch.nodeId, status: 487 }),
    );
    expect(phone.events.map((e) => (e.event === 'call' ? e.state : e.event))).toEqual([
      'ringing',
      'cancelled',
    ]);
  });

  it('answers 404 for an AOR the device does not hold', async () => {
    const desk = await device(bob, 0);
    const answers = await sendMessage([desk.branch], { ...parties, to: 'sip:carol@p2psip.test' }, 'hi');
    expect(answers[0].status).toBe(404);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
