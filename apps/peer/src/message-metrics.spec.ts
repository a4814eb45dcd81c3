import { Registry } from 'prom-client';
import { exportMessageTally } from './message-metrics';

async function totals(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('p2psip_overlay_messages_total')?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map((v) => [`${String(v.labels.direction)} ${String(v.labels.type)}`, v.value]),
  );
}

describe('exportMessageTally', () => {
  it('reports the tally as counters that only grow between scrapes', async () => {
    const sent = new Map([['store_req', 3]]);
    const received = new Map<string, number>();
    const registry = new Registry();
    exportMessageTally({ sent, received }, registry);
    expect(await totals(registry)).toEqual({ 'sent store_req': 3 });

    sent.set('store_req', 5);
    received.set('store_ans', 4);
    expect(await totals(registry)).toEqual({ 'sent store_req': 5, 'received store_ans': 4 });
    expect(await registry.metrics()).toContain(
      'p2psip_overlay_messages_total{direction="received",type="store_ans"} 4',
    );
  });
});
