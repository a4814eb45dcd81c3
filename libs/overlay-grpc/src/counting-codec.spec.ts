import { nodeIdFromBigInt } from '@p2psip/identity';
import type { MessageBody, OverlayMessage } from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import { createProtobufCodec } from './codec/protobuf-codec';
import { countingCodec } from './counting-codec';

const agreement = { overlay: 'p2psip.test', configurationSequence: () => 1 };
const peer = nodeIdFromBigInt(0x6c1cfd6d5d9e35557d66a1b05f9e2247n);

function message(body: MessageBody): OverlayMessage {
  return {
    header: { ttl: 10, transactionId: 1n, via: [], destinations: [{ kind: 'node', id: peer }] },
    body,
  };
}

describe('countingCodec', () => {
  it('counts what it encodes and decodes by body type, and passes the wire form through', () => {
    const { codec, tally } = countingCodec(createProtobufCodec({ agreement }));
    const ping = codec.encode(message({ type: 'ping_req' }));
    codec.encode(message({ type: 'ping_req' }));
    codec.encode(message({ type: 'probe_req', requestedInfo: [1] } as MessageBody));
    expect(codec.decode(ping)?.body.type).toBe('ping_req');

    expect([...tally.sent]).toEqual([
      ['ping_req', 2],
      ['probe_req', 1],
    ]);
    expect([...tally.received]).toEqual([['ping_req', 1]]);
  });

  it('counts nothing for a frame it cannot decode, nor for a message it cannot encode', () => {
    const { codec, tally } = countingCodec(createProtobufCodec({ agreement }));
    const foreign = createProtobufCodec({ agreement: { ...agreement, overlay: 'other.test' } });
    expect(codec.decode(foreign.encode(message({ type: 'ping_req' })))).toBeUndefined();
    expect(codec.decode(overlayV1.Message.fromPartial({}))).toBeUndefined();
    expect(() => codec.encode(message({ type: 'no_such_body' }))).toThrow();
    expect(tally.received.size).toBe(0);
    expect(tally.sent.size).toBe(0);
  });
});
