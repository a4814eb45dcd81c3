import type { MessageBody, OverlayMessage, RequestOutcome } from '@p2psip/overlay';
import { ClientRequestClock } from './client-request-clock';

function message(transactionId: bigint, body: MessageBody): OverlayMessage {
  return { header: { ttl: 10, transactionId, via: [], destinations: [] }, body };
}

function clocked() {
  let now = 1000;
  const seen: [string, number, RequestOutcome][] = [];
  const clock = new ClientRequestClock(
    (type, ms, outcome) => seen.push([type, ms, outcome]),
    () => now,
  );
  return { clock, seen, advance: (ms: number) => (now += ms) };
}

describe('ClientRequestClock', () => {
  it('times a client request from its arrival to its answer, by the request type and outcome', () => {
    const { clock, seen, advance } = clocked();
    clock.fromClient(message(1n, { type: 'store_req' }));
    clock.fromClient(message(2n, { type: 'fetch_req' }));
    advance(30);
    clock.fromClient(message(2n, { type: 'fetch_req' })); // a retransmission
    advance(10);
    clock.toClient(message(2n, { type: 'error' }));
    advance(10);
    clock.toClient(message(1n, { type: 'store_ans' }));
    // A second answer, an answer nobody asked for and a request going to the client: not timed.
    clock.toClient(message(1n, { type: 'store_ans' }));
    clock.toClient(message(9n, { type: 'fetch_ans' }));
    clock.toClient(message(3n, { type: 'app_attach_req' }));
    expect(seen).toEqual([
      ['fetch_req', 40, 'error'],
      ['store_req', 50, 'ok'],
    ]);
    expect(clock.waiting).toBe(0);
  });

  it('ignores the client’s answers, and forgets the oldest requests beyond its bound', () => {
    const { clock, seen } = clocked();
    clock.fromClient(message(1n, { type: 'app_attach_ans' }));
    expect(clock.waiting).toBe(0);
    for (let i = 0; i < 5000; i++) clock.fromClient(message(BigInt(i), { type: 'ping_req' }));
    expect(clock.waiting).toBe(4096);
    clock.toClient(message(0n, { type: 'ping_ans' }));
    clock.toClient(message(4999n, { type: 'ping_ans' }));
    expect(seen.map(([type]) => type)).toEqual(['ping_req']);
  });
});
