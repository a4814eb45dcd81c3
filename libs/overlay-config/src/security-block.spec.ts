import fc from 'fast-check';
import { SecurityBlockError } from './errors';
import {
  type SecurityBlock,
  type SignerIdentity,
  decodeSecurityBlock,
  encodeSecurityBlock,
} from './security-block';

const block: SecurityBlock = {
  certificates: [{ type: 0, certificate: Buffer.from('aabb', 'hex') }],
  signature: {
    algorithm: { hash: 4, signature: 3 },
    identity: { type: 'cert_hash', hashAlgorithm: 4, hash: Buffer.from('0102', 'hex') },
    value: Buffer.from('3000', 'hex'),
  },
};
// certificates<2> {type, certificate<2>} | hash, signature | identity type, length, {hash_alg, hash<1>} | value<2>
const blockHex = '0005' + '000002aabb' + '0403' + '0100040402' + '0102' + '00023000';

const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const uint8 = fc.integer({ min: 0, max: 255 });
const identities: fc.Arbitrary<SignerIdentity> = fc.oneof(
  fc.record({ type: fc.constant('cert_hash' as const), hashAlgorithm: uint8, hash: bytes(64) }),
  fc.record({ type: fc.constant('cert_hash_node_id' as const), hashAlgorithm: uint8, hash: bytes(64) }),
  fc.constant({ type: 'none' as const }),
);
const blocks: fc.Arbitrary<SecurityBlock> = fc.record({
  certificates: fc.array(fc.record({ type: uint8, certificate: bytes(300) }), { maxLength: 4 }),
  signature: fc.record({
    algorithm: fc.record({ hash: uint8, signature: uint8 }),
    identity: identities,
    value: bytes(200),
  }),
});

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (!(error instanceof SecurityBlockError)) throw error;
    return error.code;
  }
  return undefined;
}

/** Byte fields as hex, so Buffers and Uint8Arrays compare equal. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, normalize(field)]));
  }
  return value;
}

describe('overlay-config — SecurityBlock encoding', () => {
  it('lays the block out as RFC 6940 §6.3.4 specifies', () => {
    expect(encodeSecurityBlock(block).toString('hex')).toBe(blockHex);
    expect(normalize(decodeSecurityBlock(Buffer.from(blockHex, 'hex')))).toEqual(normalize(block));
  });

  it('round-trips any block', () => {
    fc.assert(
      fc.property(blocks, (original) => {
        const encoded = encodeSecurityBlock(original);
        expect(normalize(decodeSecurityBlock(encoded))).toEqual(normalize(original));
      }),
    );
  });

  it('never throws anything but SecurityBlockError on random bytes, and re-encodes what it accepts', () => {
    fc.assert(
      fc.property(bytes(120), (input) => {
        let decoded: SecurityBlock;
        try {
          decoded = decodeSecurityBlock(input);
        } catch (error) {
          expect(error).toBeInstanceOf(SecurityBlockError);
          return;
        }
        expect(encodeSecurityBlock(decoded).toString('hex')).toBe(Buffer.from(input).toString('hex'));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every truncation and any trailing byte', () => {
    const encoded = Buffer.from(blockHex, 'hex');
    for (let length = 0; length < encoded.length; length++) {
      expect(codeOf(() => decodeSecurityBlock(encoded.subarray(0, length)))).toBe('MALFORMED_SECURITY_BLOCK');
    }
    expect(codeOf(() => decodeSecurityBlock(Buffer.concat([encoded, Buffer.of(0)])))).toBe(
      'MALFORMED_SECURITY_BLOCK',
    );
  });

  it('refuses an identity whose length disagrees with its content, or of an unknown type', () => {
    const longIdentity = '0005000002aabb0403' + '0100050402010200' + '00023000';
    const unknownType = '0005000002aabb0403' + '0900040402' + '0102' + '00023000';
    const noneWithValue = '0005000002aabb0403' + '03000100' + '00023000';
    for (const hex of [longIdentity, unknownType, noneWithValue]) {
      expect(codeOf(() => decodeSecurityBlock(Buffer.from(hex, 'hex')))).toBe('MALFORMED_SECURITY_BLOCK');
    }
  });

  it('refuses to encode values the wire format cannot hold', () => {
    const withIdentity = (identity: SignerIdentity): SecurityBlock => ({
      ...block,
      signature: { ...block.signature, identity },
    });
    expect(
      codeOf(() =>
        encodeSecurityBlock(withIdentity({ type: 'cert_hash', hashAlgorithm: 4, hash: Buffer.alloc(256) })),
      ),
    ).toBe('INVALID_SECURITY_BLOCK');
    expect(
      codeOf(() =>
        encodeSecurityBlock(withIdentity({ type: 'cert_hash', hashAlgorithm: 256, hash: Buffer.alloc(1) })),
      ),
    ).toBe('INVALID_SECURITY_BLOCK');
    const hugeCertificate = { ...block, certificates: [{ type: 0, certificate: Buffer.alloc(70000) }] };
    expect(codeOf(() => encodeSecurityBlock(hugeCertificate))).toBe('INVALID_SECURITY_BLOCK');
  });
});
