import type { MessageCodec } from './message-codec';

/** Messages a process's links sent and received, by body type (`store_req`, `update_ans`, …). */
export interface MessageTally {
  readonly sent: ReadonlyMap<string, number>;
  readonly received: ReadonlyMap<string, number>;
}

/**
 * Wraps a codec so that every message a link encodes (sent) or decodes (received) is counted by
 * its body type: an operator reads what the overlay spends its messages on (a storm of Updates,
 * the transits a Store costs) from the process's metrics. Links between virtual peers of one
 * process go through the codec too, so their messages count as sent and received.
 */
export function countingCodec(codec: MessageCodec): { codec: MessageCodec; tally: MessageTally } {
  const sent = new Map<string, number>();
  const received = new Map<string, number>();
  return {
    tally: { sent, received },
    codec: {
      encode(message, peerLinkTo) {
        const encoded = codec.encode(message, peerLinkTo);
        bump(sent, message.body.type);
        return encoded;
      },
      decode(wire) {
        const message = codec.decode(wire);
        if (message) bump(received, message.body.type);
        return message;
      },
    },
  };
}

function bump(counts: Map<string, number>, type: string): void {
  counts.set(type, (counts.get(type) ?? 0) + 1);
}
