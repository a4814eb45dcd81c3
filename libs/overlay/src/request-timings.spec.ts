import type { RequestOutcome, RequestTimings } from './components';
import { ErrorCode } from './messages/error-code';
import { nodeDestination } from './messages/destination';
import { ReloadError } from './errors';
import { SECOND_MS } from './settings';
import { createTestnet } from './testing';

type Timing = { side: 'originated' | 'handled'; type: string; ms: number; outcome: RequestOutcome };

function recorder(): { timings: RequestTimings; seen: Timing[] } {
  const seen: Timing[] = [];
  return {
    seen,
    timings: {
      originated: (type, ms, outcome) => seen.push({ side: 'originated', type, ms, outcome }),
      handled: (type, ms, outcome) => seen.push({ side: 'handled', type, ms, outcome }),
    },
  };
}

describe('request timings', () => {
  it('reports how long a request took at the sender and at the handler, with its outcome', async () => {
    const { timings, seen } = recorder();
    const net = createTestnet(3, { seed: 7, latencyMs: 10, timings });
    await net.joinSequentially();
    const [origin, , target] = net.nodes;
    target.handle(
      'slow_req',
      () => new Promise((resolve) => net.clock.schedule(250, () => resolve({ type: 'slow_ans' }))),
    );
    target.handle('refused_req', () => {
      throw new ReloadError(ErrorCode.Forbidden, 'no');
    });
    seen.length = 0;

    await net.settle(origin.request(nodeDestination(target.nodeId), { type: 'slow_req' }), 10 * SECOND_MS);
    const handled = seen.find((t) => t.side === 'handled' && t.type === 'slow_req');
    const originated = seen.find((t) => t.side === 'originated' && t.type === 'slow_req');
    expect(handled).toMatchObject({ ms: 250, outcome: 'ok' });
    // The way there and back (10 ms per link, one or two hops each way) comes on top.
    expect(originated?.outcome).toBe('ok');
    expect(originated?.ms).toBeGreaterThanOrEqual(270);
    expect(originated?.ms).toBeLessThanOrEqual(290);

    const refused = origin.request(nodeDestination(target.nodeId), { type: 'refused_req' });
    await expect(net.settle(refused, 10 * SECOND_MS)).rejects.toMatchObject({
      errorCode: ErrorCode.Forbidden,
    });
    expect(seen.filter((t) => t.type === 'refused_req').map((t) => [t.side, t.outcome])).toEqual([
      ['handled', 'error'],
      ['originated', 'error'],
    ]);
  });
});
