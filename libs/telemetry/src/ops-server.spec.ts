import { Counter } from 'prom-client';
import { silentLogger } from './logger';
import { createMetricsRegistry } from './metrics';
import { startOpsServer } from './ops-server';

describe('telemetry — ops endpoint', () => {
  it('serves Prometheus metrics, liveness and readiness', async () => {
    const registry = createMetricsRegistry();
    new Counter({ name: 'test_events_total', help: 'events', registers: [registry] }).inc(3);
    let ready = false;
    const server = await startOpsServer({ registry, health: { ready: () => ready }, logger: silentLogger() });
    try {
      const base = `http://${server.address}`;
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('test_events_total 3');
      expect(text).toContain('process_cpu_user_seconds_total');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.stop();
    }
  });

  it('keeps registries of two services apart', () => {
    const a = createMetricsRegistry({ processMetrics: false });
    const b = createMetricsRegistry({ processMetrics: false });
    new Counter({ name: 'only_in_a_total', help: 'x', registers: [a] });
    expect(b.getSingleMetric('only_in_a_total')).toBeUndefined();
  });
});
