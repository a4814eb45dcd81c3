import type { MessageTally } from '@p2psip/overlay-grpc';
import { Counter, type Registry } from 'prom-client';

/**
 * `p2psip_overlay_messages_total{direction, type}`: the overlay messages this process's links sent
 * and received. The tally is kept as plain counts on the message path; a scrape adds what came
 * since the last one, so the hot path never touches the metrics library.
 */
export function exportMessageTally(tally: MessageTally, registry: Registry): void {
  const exported = new Map<string, number>();
  new Counter({
    name: 'p2psip_overlay_messages_total',
    help: 'Overlay messages sent and received on the links of this process (links between its own virtual peers included), by body type',
    labelNames: ['direction', 'type'],
    registers: [registry],
    collect() {
      for (const [direction, counts] of [
        ['sent', tally.sent],
        ['received', tally.received],
      ] as const) {
        for (const [type, count] of counts) {
          const key = `${direction} ${type}`;
          const added = count - (exported.get(key) ?? 0);
          if (added > 0) this.inc({ direction, type }, added);
          exported.set(key, count);
        }
      }
    },
  });
}
