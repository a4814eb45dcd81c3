import fc from 'fast-check';
import { nodeIdFromBigInt } from '@p2psip/identity';
import type { MessageBody, OverlayMessage } from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import { createProtobufCodec } from './protobuf-codec';

const codec = createProtobufCodec({ agreement: { overlay: 'p2psip.test', configurationSequence: () => 7 } });
const a = nodeIdFromBigInt(0x0c51a942f50c828aef82a5af83e8ed59n);
const b = nodeIdFromBigInt(0x6c1cfd6d5d9e35557d66a1b05f9e2247n);

function message(body: MessageBody): OverlayMessage {
  return {
    header: {
      ttl: 99,
      transactionId: 0xfedcba9876543210n,
      via: [{ kind: 'node', id: a }],
      destinations: [
        { kind: 'node', id: b },
        { kind: 'resource', id: 42n as never },
      ],
    },
    body,
  };
}

const bodies: MessageBody[] = [
  { type: 'ping_req' },
  { type: 'ping_ans', responseId: 5n, timeMs: 1_700_000_000_000 } as MessageBody,
  { type: 'probe_req', requestedInfo: [1, 3] } as MessageBody,
  {
    type: 'probe_ans',
    info: [
      { type: 1, value: 500_000_000 },
      { type: 3, value: 12 },
    ],
  } as MessageBody,
  {
    type: 'attach_req',
    candidates: [{ address: '127.0.0.1:4000', priority: 10 }],
    sendUpdate: true,
  } as MessageBody,
  { type: 'attach_ans', candidates: [{ address: 'peer.example:4001', priority: 1 }] } as MessageBody,
  {
    type: 'app_attach_req',
    application: 5060,
    candidates: [{ address: '127.0.0.1:5070', priority: 1 }],
  } as MessageBody,
  { type: 'app_attach_ans', application: 5060, candidates: [] } as MessageBody,
  { type: 'join_req', joiningPeerId: a } as MessageBody,
  { type: 'join_ans' },
  { type: 'leave_req', leavingPeerId: a, data: { type: 'from_succ', successors: [b] } } as MessageBody,
  { type: 'leave_req', leavingPeerId: a, data: { type: 'from_pred', predecessors: [b, a] } } as MessageBody,
  {
    type: 'update_req',
    update: { uptimeS: 3, type: 'full', predecessors: [a], successors: [b], fingers: [a, b] },
  } as MessageBody,
  { type: 'route_query_req', sendUpdate: false, destination: { kind: 'node', id: b } } as MessageBody,
  { type: 'route_query_ans', nextPeer: b } as MessageBody,
  { type: 'error', code: 25, info: 'loop detected' } as MessageBody,
];

describe('overlay-grpc — protobuf codec', () => {
  it.each(bodies.map((body) => [body.type, body] as const))(
    'round-trips %s through the wire form',
    (_type, body) => {
      const wire = overlayV1.Message.decode(overlayV1.Message.encode(codec.encode(message(body))).finish());
      const decoded = codec.decode(wire);
      expect({ header: decoded?.header, body: decoded?.body }).toEqual(message(body));
    },
  );

  it('refuses an AppAttach without a 16-bit application id', () => {
    const body = { type: 'app_attach_req', application: 0x10000, candidates: [] } as MessageBody;
    expect(codec.decode(codec.encode(message(body)))).toBeUndefined();
  });

  it('carries RELOAD header facts: overlay hash, version 10, configuration sequence', () => {
    const wire = codec.encode(message(bodies[0]));
    expect(wire.header).toMatchObject({ version: 10, configurationSequence: 7, ttl: 99 });
  });

  it('drops frames of another overlay, with bad ids, or with garbage contents', () => {
    const other = createProtobufCodec({
      agreement: { overlay: 'other.test', configurationSequence: () => 1 },
    });
    expect(codec.decode(other.encode(message(bodies[0])))).toBeUndefined();
    const badId = codec.encode(message(bodies[0]));
    badId.header?.viaList.push({ id: { $case: 'nodeId', nodeId: Buffer.alloc(3) } });
    expect(codec.decode(badId)).toBeUndefined();
    expect(
      codec.decode({
        ...codec.encode(message(bodies[0])),
        contents: Buffer.from([0xff, 0xff, 0xff]),
      }),
    ).toBeUndefined();
  });

  it('hands unknown bodies to the core (which answers them) instead of dropping them', () => {
    const wire = codec.encode(message(bodies[0]));
    wire.contents = Buffer.from(
      overlayV1.MessageContents.encode({ body: undefined, extensions: [] }).finish(),
    );
    expect(codec.decode(wire)?.body).toEqual({ type: 'unknown' });
  });

  it('keeps a 1,000-entry destination list so the core can refuse it with an error', () => {
    const many = { ...message(bodies[0]) };
    const destinations = Array.from({ length: 1000 }, (_, i) => ({
      kind: 'node' as const,
      id: nodeIdFromBigInt(BigInt(i + 1)),
    }));
    const decoded = codec.decode(codec.encode({ ...many, header: { ...many.header, destinations } }));
    expect(decoded?.header.destinations).toHaveLength(1000);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        let decoded: overlayV1.Message | undefined;
        try {
          decoded = overlayV1.Message.decode(bytes);
        } catch {
          return;
        }
        expect(() => codec.decode(decoded)).not.toThrow();
      }),
    );
  });
});
