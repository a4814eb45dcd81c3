import { Registry } from 'prom-client';
import { requestMetrics } from './request-metrics';

describe('requestMetrics', () => {
  it('keeps sent, handled and client request latencies as histograms in seconds, by type and outcome', async () => {
    const registry = new Registry();
    const { timings, clientRequests } = requestMetrics(registry);
    timings.originated('store_req', 40, 'ok');
    timings.originated('store_req', 3000, 'error');
    timings.handled('store_req', 2, 'ok');
    clientRequests('fetch_req', 120, 'ok');
    const text = await registry.metrics();
    expect(text).toContain(
      'p2psip_overlay_request_seconds_bucket{le="0.05",type="store_req",outcome="ok"} 1',
    );
    expect(text).toContain(
      'p2psip_overlay_request_seconds_bucket{le="2.5",type="store_req",outcome="error"} 0',
    );
    expect(text).toContain('p2psip_overlay_request_seconds_sum{type="store_req",outcome="error"} 3');
    expect(text).toContain(
      'p2psip_overlay_handling_seconds_bucket{le="0.0025",type="store_req",outcome="ok"} 1',
    );
    expect(text).toContain(
      'p2psip_overlay_handling_seconds_bucket{le="0.001",type="store_req",outcome="ok"} 0',
    );
  });
});
