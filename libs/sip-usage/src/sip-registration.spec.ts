import fc from 'fast-check';
import { type NodeId, type ResourceId, nodeIdFromHex, resourceIdOf } from '@p2psip/identity';
import type { Destination } from '@p2psip/overlay';
import { destinationFromBytes, destinationToBytes } from './destination-codec';
import { MalformedSipRegistrationError, SipUsageError } from './errors';
import { type SipRegistration, decodeSipRegistration, encodeSipRegistration } from './sip-registration';

const X = nodeIdFromHex('0102030405060708090a0b0c0d0e0f10');
const P = nodeIdFromHex('f0000000000000000000000000000001');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const ascii = (text: string): string => Buffer.from(text, 'ascii').toString('hex');

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof SipUsageError ? error.code : `not a SipUsageError: ${String(error)}`;
  }
}

describe('sip-usage — Destination encoding (digest §8 vectors)', () => {
  it('encodes a node destination as 01 10 X (18 bytes)', () => {
    const encoded = destinationToBytes({ kind: 'node', id: X });
    expect(hex(encoded)).toBe('0110' + '0102030405060708090a0b0c0d0e0f10');
    expect(encoded).toHaveLength(18);
  });

  it('encodes a resource destination as 02 11 10 R (19 bytes), R = H(alice@dht.example.com)', () => {
    const encoded = destinationToBytes({ kind: 'resource', id: resourceIdOf('alice@dht.example.com') });
    expect(hex(encoded)).toBe('021110' + '0c51a942f50c828aef82a5af83e8ed59');
  });

  it('encodes opaque ids as type 3, and a high-bit 2-byte id in the compressed form', () => {
    expect(hex(destinationToBytes({ kind: 'opaque', id: bytes('0a0b0c') }))).toBe('0304030a0b0c');
    expect(hex(destinationToBytes({ kind: 'opaque', id: bytes('8123') }))).toBe('8123');
    expect(destinationFromBytes(bytes('8123'))).toEqual({ kind: 'opaque', id: bytes('8123') });
  });

  it.each([
    ['a node id of 15 bytes', '010f' + '00'.repeat(15)],
    ['a resource whose inner length disagrees', '021110' + '00'.repeat(15)],
    ['a resource id of 8 bytes', '020908' + '00'.repeat(8)],
    ['destination type 0', '0000'],
    ['destination type 4', '040100'],
    ['an empty opaque id', '030100'],
    ['a truncated compressed id', '81'],
    ['trailing bytes', '0110' + '00'.repeat(17)],
  ])('rejects %s with MALFORMED_SIP_REGISTRATION', (_what, input) => {
    expect(codeOf(() => destinationFromBytes(bytes(input)))).toBe('MALFORMED_SIP_REGISTRATION');
  });
});

describe('sip-usage — SipRegistration encoding (RFC 7904 §3.2)', () => {
  it('encodes a route [peer, client] with contact prefs byte for byte', () => {
    const value: SipRegistration = {
      type: 'route',
      contactPrefs: 'sip.schemes=SIPS',
      destinations: [
        { kind: 'node', id: P },
        { kind: 'node', id: X },
      ],
    };
    const expected = bytes(
      `02 0038
       0010 ${ascii('sip.schemes=SIPS')}
       0024 0110 f0000000000000000000000000000001 0110 0102030405060708090a0b0c0d0e0f10`,
    );
    expect(hex(encodeSipRegistration(value))).toBe(hex(expected));
    expect(decodeSipRegistration(expected)).toEqual(value);
  });

  it('encodes the normal case, one Node-ID and no preferences, in 25 bytes', () => {
    const encoded = encodeSipRegistration({
      type: 'route',
      contactPrefs: '',
      destinations: [{ kind: 'node', id: X }],
    });
    expect(hex(encoded)).toBe('020016' + '0000' + '0012' + '0110' + '0102030405060708090a0b0c0d0e0f10');
  });

  it('encodes a forwarding URI as type 1 with its own uint16 length inside', () => {
    const uri = 'sip:carol@dht.example.com';
    const encoded = encodeSipRegistration({ type: 'uri', uri });
    expect(hex(encoded)).toBe('01001b0019' + ascii(uri));
    expect(decodeSipRegistration(encoded)).toEqual({ type: 'uri', uri });
  });

  it('carries a type it does not know (RFC 7904 lets the type be extended)', () => {
    expect(decodeSipRegistration(bytes('07000299aa'))).toEqual({
      type: 'unknown',
      code: 7,
      data: bytes('99aa'),
    });
    expect(hex(encodeSipRegistration({ type: 'unknown', code: 7, data: bytes('99aa') }))).toBe('07000299aa');
  });

  it.each([
    ['an empty input', ''],
    ['a truncated length', '0100'],
    ['a length past the end', '01000500'],
    ['trailing bytes after the value', '0100040002616100'],
    ['a uri whose inner length disagrees', '010004000361 61'],
    ['an empty uri', '0100020000'],
    ['uri bytes that are not UTF-8', '0100040002c328'],
    ['a route with no destination', '02000400000000'],
    ['a route whose list length runs past the data', '020006000000100110'],
    ['a route with an unknown destination type', '020007000000030501aa'],
    ['type 0', '000000'],
  ])('rejects %s with MALFORMED_SIP_REGISTRATION', (_what, input) => {
    expect(codeOf(() => decodeSipRegistration(bytes(input)))).toBe('MALFORMED_SIP_REGISTRATION');
  });

  it('refuses to encode what the wire cannot carry, with INVALID_SIP_REGISTRATION', () => {
    expect(codeOf(() => encodeSipRegistration({ type: 'route', contactPrefs: '', destinations: [] }))).toBe(
      'INVALID_SIP_REGISTRATION',
    );
    expect(codeOf(() => encodeSipRegistration({ type: 'uri', uri: '' }))).toBe('INVALID_SIP_REGISTRATION');
    expect(codeOf(() => encodeSipRegistration({ type: 'uri', uri: 'x'.repeat(0x10000) }))).toBe(
      'INVALID_SIP_REGISTRATION',
    );
    expect(codeOf(() => encodeSipRegistration({ type: 'unknown', code: 1, data: new Uint8Array() }))).toBe(
      'INVALID_SIP_REGISTRATION',
    );
  });
});

const id128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
const destination: fc.Arbitrary<Destination> = fc.oneof(
  id128.map((id) => ({ kind: 'node' as const, id: id as NodeId })),
  id128.map((id) => ({ kind: 'resource' as const, id: id as ResourceId })),
  fc.uint8Array({ minLength: 1, maxLength: 254 }).map((id) => ({ kind: 'opaque' as const, id })),
);
const text = fc.string({ unit: 'grapheme', maxLength: 200 });
const registration: fc.Arbitrary<SipRegistration> = fc.oneof(
  text.filter((uri) => uri.length > 0).map((uri) => ({ type: 'uri' as const, uri })),
  fc
    .record({ contactPrefs: text, destinations: fc.array(destination, { minLength: 1, maxLength: 8 }) })
    .map((r) => ({ type: 'route' as const, ...r })),
  fc
    .record({ code: fc.integer({ min: 3, max: 255 }), data: fc.uint8Array({ maxLength: 300 }) })
    .map((r) => ({ type: 'unknown' as const, ...r })),
);

/** Malformed input may only fail with the lib's own error, never a RangeError or TypeError. */
function decodesOrFailsCleanly(input: Uint8Array): void {
  try {
    const value = decodeSipRegistration(input);
    // What decodes re-encodes to something that decodes to the same value.
    expect(decodeSipRegistration(encodeSipRegistration(value))).toEqual(value);
  } catch (error) {
    if (!(error instanceof MalformedSipRegistrationError)) throw error;
  }
}

describe('sip-usage — SipRegistration properties', () => {
  it('round-trips every value: decode(encode(v)) = v, and bytes survive a second pass', () => {
    fc.assert(
      fc.property(registration, (value) => {
        const encoded = encodeSipRegistration(value);
        const decoded = decodeSipRegistration(encoded);
        expect(decoded).toEqual(value);
        expect(hex(encodeSipRegistration(decoded))).toBe(hex(encoded));
      }),
    );
  });

  it('never throws anything but MalformedSipRegistrationError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), decodesOrFailsCleanly), { numRuns: 5000 });
  });

  it('never throws anything but MalformedSipRegistrationError on mutated valid encodings', () => {
    const mutated = fc
      .tuple(
        registration.map(encodeSipRegistration),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('flip', 'truncate', 'append'),
      )
      .map(([encoded, at, byte, how]) => {
        const i = encoded.length === 0 ? 0 : at % encoded.length;
        if (how === 'truncate') return encoded.subarray(0, i);
        if (how === 'append') return Uint8Array.from([...encoded, byte]);
        const copy = Uint8Array.from(encoded);
        copy[i] = byte;
        return copy;
      });
    fc.assert(fc.property(mutated, decodesOrFailsCleanly), { numRuns: 3000 });
  });
});
