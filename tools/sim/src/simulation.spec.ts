import { MINUTE_MS, SECOND_MS } from '@p2psip/overlay';
import { defaultConfig } from './config';
import { runSimulation } from './run';

const small = {
  ...defaultConfig(60),
  name: 'spec',
  seed: 5,
  churn: 'exponential' as const,
  sessionMeanMs: 10 * MINUTE_MS,
  warmupMs: 30 * SECOND_MS,
  durationMs: 2 * MINUTE_MS,
  lookupsPerS: 5,
  registrations: 12,
  fetchesPerS: 2,
  sampleIntervalMs: 30 * SECOND_MS,
};

describe('simulation — a small run', () => {
  it('gives the same numbers for the same seed, and other numbers for another seed', async () => {
    const a = await runSimulation(small);
    const b = await runSimulation(small);
    expect(b.metrics).toEqual(a.metrics);
    const c = await runSimulation({ ...small, seed: 6 });
    expect(c.metrics).not.toEqual(a.metrics);
  }, 60_000);

  it('routes lookups to the responsible node and keeps the stored registrations', async () => {
    const { metrics } = await runSimulation({ ...small, churn: 'none', sessionMeanMs: undefined });
    const m = metrics.phases.measure;
    expect(m.lookups.issued).toBeGreaterThan(400);
    expect(m.lookups.successRatio).toBe(1);
    expect(m.lookups.hops.mean).toBeLessThan(Math.log2(60));
    // Route probes cross at least one link each way at 10 ms.
    expect(m.lookups.latencyMs.p50).toBeGreaterThanOrEqual(20);
    expect(metrics.tables.mean?.successor).toBe(1);
    expect(metrics.storage?.stored).toBe(12);
    expect(metrics.storage?.lost).toBe(0);
    expect(metrics.storage?.availability).toBe(1);
    expect(m.maintenance.bytesPerNodeS).toBeGreaterThan(0);
    expect(m.traffic.find((t) => t.type === 'update_req')?.meanBytes).toBeGreaterThan(20);
  }, 60_000);
});
