import fc from 'fast-check';
import { nodeIdFromBigInt, resourceIdOf } from '@p2psip/identity';
import type { MessageBody, OverlayMessage } from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import { type StoredValue, createCertificateTrust, signValue, verifyValue } from '@p2psip/storage';
import { createTestPki } from '@p2psip/testing';
import { createProtobufCodec } from './protobuf-codec';
import { STORAGE_BODY_MAPPERS } from './storage-bodies';

const OVERLAY = 'p2psip.test';
const codec = createProtobufCodec({
  agreement: { overlay: OVERLAY, configurationSequence: () => 3 },
  extraMappers: STORAGE_BODY_MAPPERS,
});
const alice = resourceIdOf(`alice@${OVERLAY}`);

function overTheWire(body: MessageBody): MessageBody | undefined {
  const message: OverlayMessage = {
    header: { ttl: 9, transactionId: 77n, via: [], destinations: [{ kind: 'resource', id: alice }] },
    body,
  };
  const bytes = overlayV1.Message.encode(codec.encode(message)).finish();
  return codec.decode(overlayV1.Message.decode(bytes))?.body;
}

describe('storage bodies on the wire', () => {
  let value: StoredValue;
  let verify: (v: StoredValue) => boolean;

  beforeAll(async () => {
    const pki = await createTestPki(OVERLAY);
    const user = await pki.issue({ userName: `alice@${OVERLAY}` });
    value = signValue(
      {
        resourceId: alice,
        kind: 0xf0000001,
        item: { model: 'DICTIONARY', key: Buffer.from('k'), exists: true, value: Buffer.from('hello') },
        storageTimeMs: 1_700_000_000_123n,
        lifetimeS: 60,
      },
      { certificateDer: user.certificate.der, privateKey: user.keyPem },
    );
    const trust = createCertificateTrust({
      caCertificateDer: pki.authority.certificate.der,
      overlay: OVERLAY,
    });
    verify = (v) => verifyValue(alice, 0xf0000001, v, trust, Date.now()) !== undefined;
  }, 30_000);

  it('carries a signed value with its certificate in the SecurityBlock, verifiable after decoding', () => {
    const body = {
      type: 'store_req',
      resourceId: alice,
      replicaNumber: 1,
      kindData: [{ kind: 0xf0000001, generation: 4n, values: [value, value] }],
    };
    const encoded = codec.encode({
      header: { ttl: 1, transactionId: 1n, via: [], destinations: [] },
      body,
    });
    // One certificate for two values by the same signer.
    expect(encoded.security?.certificates).toHaveLength(1);
    const decoded = overTheWire(body) as typeof body;
    expect(decoded).toEqual(body);
    expect(decoded.kindData[0].values.every(verify)).toBe(true);
  });

  it('round-trips fetch, stat and find bodies', () => {
    const bodies = [
      {
        type: 'fetch_req',
        resourceId: alice,
        specifiers: [
          { kind: 1, generation: 0n, selector: { model: 'DICTIONARY', keys: [] } },
          { kind: 2, generation: 5n, selector: { model: 'ARRAY', ranges: [{ first: 0, last: 0xffffffff }] } },
          { kind: 3, generation: 0n, selector: { model: 'SINGLE' } },
        ],
      },
      { type: 'fetch_ans', kindResponses: [{ kind: 0xf0000001, generation: 2n, values: [value] }] },
      {
        type: 'stat_req',
        resourceId: alice,
        specifiers: [{ kind: 3, generation: 0n, selector: { model: 'SINGLE' } }],
      },
      {
        type: 'stat_ans',
        kindResponses: [
          {
            kind: 3,
            generation: 1n,
            replicas: [nodeIdFromBigInt(5n)],
            values: [
              {
                storageTimeMs: 9n,
                lifetimeS: 8,
                item: { model: 'ARRAY', index: 4, exists: true, value: new Uint8Array(0) },
                valueLength: 5,
                hashAlgorithm: 4,
                hash: new Uint8Array(32).fill(1),
              },
            ],
          },
        ],
      },
      { type: 'find_req', resourceId: alice, kinds: [1, 2] },
      {
        type: 'find_ans',
        results: [
          { kind: 1, closest: alice },
          { kind: 2, closest: undefined },
        ],
      },
      { type: 'store_ans', kindResponses: [{ kind: 1, generation: 3n, replicas: [nodeIdFromBigInt(7n)] }] },
    ];
    for (const body of bodies) expect(overTheWire(body as MessageBody)).toEqual(body);
  });

  it('never throws on random storage bodies (mutated contents of a real Store)', () => {
    const encoded = codec.encode({
      header: { ttl: 1, transactionId: 1n, via: [], destinations: [] },
      body: {
        type: 'store_req',
        resourceId: alice,
        replicaNumber: 0,
        kindData: [{ kind: 1, generation: 0n, values: [value] }],
      },
    } as OverlayMessage);
    fc.assert(
      fc.property(
        fc.nat({ max: encoded.contents.length - 1 }),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        (at, noise) => {
          const contents = Buffer.from(encoded.contents);
          contents.set(noise.subarray(0, contents.length - at), at);
          expect(() => codec.decode({ ...encoded, contents })).not.toThrow();
        },
      ),
    );
  });

  it('leaves a value whose certificate is missing unverifiable, and drops malformed bodies', () => {
    const encoded = codec.encode({
      header: { ttl: 1, transactionId: 1n, via: [], destinations: [] },
      body: { type: 'fetch_ans', kindResponses: [{ kind: 0xf0000001, generation: 2n, values: [value] }] },
    } as OverlayMessage);
    const stripped = codec.decode({ ...encoded, security: undefined })?.body as unknown as {
      kindResponses: { values: StoredValue[] }[];
    };
    expect(stripped.kindResponses[0].values[0].certificate).toHaveLength(0);
    expect(verify(stripped.kindResponses[0].values[0])).toBe(false);
    const badId = overlayV1.MessageContents.encode({
      body: { $case: 'fetchReq', fetchReq: { resourceId: Buffer.alloc(3), specifiers: [] } },
      extensions: [],
    }).finish();
    expect(codec.decode({ ...encoded, contents: Buffer.from(badId) })).toBeUndefined();
  });
});
