import { EdgeMetrics } from './edge-metrics';

describe('EdgeMetrics', () => {
  it('times overlay stores by operation and outcome, and passes results and errors through', async () => {
    const metrics = new EdgeMetrics();
    await expect(metrics.timeStore('store', () => Promise.resolve('stored'))).resolves.toBe('stored');
    await expect(metrics.timeStore('withdraw', () => Promise.reject(new Error('no route')))).rejects.toThrow(
      'no route',
    );
    const text = await metrics.registry.metrics();
    expect(text).toContain('p2psip_edge_overlay_store_seconds_count{operation="store",outcome="ok"} 1');
    expect(text).toContain(
      'p2psip_edge_overlay_store_seconds_count{operation="withdraw",outcome="failed"} 1',
    );
    // Node's process metrics come with it: the event-loop lag is what an operator reads first.
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds');
  });

  it('counts events by name', async () => {
    const metrics = new EdgeMetrics();
    metrics.countEvent('registered');
    metrics.countEvent('registered');
    metrics.countEvent('unregistered');
    const text = await metrics.registry.metrics();
    expect(text).toContain('p2psip_edge_events_total{event="registered"} 2');
    expect(text).toContain('p2psip_edge_events_total{event="unregistered"} 1');
  });
});
