import { parseRelayEndpoint } from '../turn/relay-endpoint';
import { RelayInventory } from './relay-inventory';

const A = '127.0.0.1:3478';
const B = '127.0.0.2:3478';
const C = '[::1]:3478';

function inventory(): RelayInventory {
  return new RelayInventory([A, B, C].map(parseRelayEndpoint), { degradedRttMs: 100 });
}

describe('relay — inventory', () => {
  it('hands out nothing before the first check', () => {
    expect(inventory().rank()).toEqual([]);
  });

  it('withdraws a relay after two failed checks in a row and brings it back on success', () => {
    const relays = inventory();
    expect(relays.recordSuccess(A, { rttMs: 1, nowMs: 1 })?.status.health).toBe('healthy');
    expect(relays.recordFailure(A, { error: 'timeout', nowMs: 2 })?.status.health).toBe('degraded');
    expect(relays.rank().map((r) => r.endpoint.address)).toEqual([A]);
    const withdrawn = relays.recordFailure(A, { error: 'timeout', nowMs: 3 });
    expect(withdrawn).toMatchObject({
      previous: 'degraded',
      status: { health: 'unhealthy', consecutiveFailures: 2 },
    });
    expect(relays.rank()).toEqual([]);
    expect(relays.recordSuccess(A, { rttMs: 1, nowMs: 4 })).toMatchObject({
      previous: 'unhealthy',
      status: { health: 'healthy', consecutiveFailures: 0 },
    });
  });

  it('withdraws a relay at once when its coturn is known to be down, until a check passes', () => {
    const relays = inventory();
    relays.recordSuccess(A, { rttMs: 1, allocations: 2, nowMs: 1 });
    expect(relays.markDown(A, { error: 'coturn exited (SIGKILL)', nowMs: 2 })).toMatchObject({
      previous: 'healthy',
      status: { health: 'unhealthy', consecutiveFailures: 2, lastError: 'coturn exited (SIGKILL)' },
    });
    expect(relays.get(A)?.allocations).toBeUndefined();
    expect(relays.rank()).toEqual([]);
    expect(relays.markDown(A, { error: 'again', nowMs: 3 })).toBeUndefined();
    expect(relays.recordSuccess(A, { rttMs: 1, nowMs: 4 })?.status.health).toBe('healthy');
    expect(relays.markDown('192.0.2.9:1', { error: 'unknown', nowMs: 5 })).toBeUndefined();
  });

  it('reports no change when the health stays the same', () => {
    const relays = inventory();
    relays.recordSuccess(A, { rttMs: 1, nowMs: 1 });
    expect(relays.recordSuccess(A, { rttMs: 2, nowMs: 2 })).toBeUndefined();
  });

  it('ranks healthy before degraded, then the least loaded, then the fastest', () => {
    const relays = inventory();
    relays.recordSuccess(A, { rttMs: 1, allocations: 5, nowMs: 1 });
    relays.recordSuccess(B, { rttMs: 9, allocations: 0, nowMs: 1 });
    relays.recordSuccess(C, { rttMs: 500, allocations: 0, nowMs: 1 }); // slow: degraded
    expect(relays.rank().map((r) => r.endpoint.address)).toEqual([B, A, C]);
    relays.recordSuccess(A, { rttMs: 1, allocations: 0, nowMs: 2 });
    expect(relays.rank().map((r) => r.endpoint.address)).toEqual([A, B, C]);
  });

  it('puts relays of the client address family first', () => {
    const relays = inventory();
    relays.recordSuccess(A, { rttMs: 1, allocations: 0, nowMs: 1 });
    relays.recordSuccess(C, { rttMs: 1, allocations: 3, nowMs: 1 });
    expect(relays.rank({ family: 6 }).map((r) => r.endpoint.address)).toEqual([C, A]);
  });
});
