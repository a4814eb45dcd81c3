import type { OverlayMessage } from '@p2psip/overlay';
import { STORAGE_BODY_MAPPERS, createProtobufCodec } from '@p2psip/overlay-grpc';
import { overlayV1 } from '@p2psip/proto';

/** Messages and bytes of one message type in one phase. */
export interface TypeTraffic {
  messages: number;
  /** Estimated from the sampled wire sizes (mean sampled size × messages). */
  bytes: number;
}

/** Wire sizes: how many messages per type are encoded for real before sampling thins out. */
const ALWAYS_SAMPLED = 64;

/**
 * Traffic by message type, with bytes from the production protobuf codec (`libs/overlay-grpc`:
 * ForwardingHeader + serialized MessageContents + SecurityBlock, as a peer puts them in the gRPC
 * stream; the 5-byte gRPC prefix, HTTP/2 and TLS framing are not counted). Encoding every message
 * of a 100,000-node run would cost more than the simulation itself, so after the first
 * `ALWAYS_SAMPLED` messages of a type only every `sampleEvery`-th is encoded; the type's bytes are
 * its count × its mean sampled size.
 */
export class TrafficMeter {
  private readonly codec = createProtobufCodec({
    agreement: { overlay: 'p2psip.sim', configurationSequence: () => 1 },
    extraMappers: STORAGE_BODY_MAPPERS,
  });
  private readonly sizes = new Map<string, { sampled: number; bytes: number; seen: number }>();

  constructor(private readonly sampleEvery = 16) {}

  /** The type a message is counted under: replica copies apart from users' stores. */
  static keyOf(message: OverlayMessage): string {
    const body = message.body as { type: string; replicaNumber?: number };
    return body.type === 'store_req' && (body.replicaNumber ?? 0) > 0 ? 'store_req(copy)' : body.type;
  }

  /** Records one message; returns its key. */
  observe(message: OverlayMessage, into: Map<string, TypeTraffic>): void {
    const key = TrafficMeter.keyOf(message);
    let size = this.sizes.get(key);
    if (!size) this.sizes.set(key, (size = { sampled: 0, bytes: 0, seen: 0 }));
    if (size.sampled < ALWAYS_SAMPLED || size.seen % this.sampleEvery === 0) {
      size.bytes += this.wireSize(message);
      size.sampled++;
    }
    size.seen++;
    let t = into.get(key);
    if (!t) into.set(key, (t = { messages: 0, bytes: 0 }));
    t.messages++;
  }

  /** Fills in `bytes` from the mean sampled sizes (call once at the end). */
  finish(traffic: Map<string, TypeTraffic>): void {
    for (const [key, t] of traffic) t.bytes = t.messages * this.meanSize(key);
  }

  meanSize(key: string): number {
    const s = this.sizes.get(key);
    return s && s.sampled > 0 ? s.bytes / s.sampled : 0;
  }

  private wireSize(message: OverlayMessage): number {
    try {
      return overlayV1.Message.encode(this.codec.encode(message)).finish().length;
    } catch {
      // Test-only bodies (the route probe) have no wire mapping: a Ping of the same header plus
      // the probe's fields (a 16-byte id, or a flag and a hop count) stands in for them.
      const answer = message.body.type.endsWith('_ans');
      const body = answer ? { type: 'ping_ans', responseId: 0n, timeMs: 0 } : { type: 'ping_req' };
      const ping = { ...message, body };
      const extra = answer ? 4 : 18;
      const base = overlayV1.Message.encode(this.codec.encode(ping)).finish().length;
      return base + extra;
    }
  }
}
