// The few DER (X.690) pieces the CA's hot path writes and reads by hand: the schema library's
// object model costs about a millisecond per certificate, while the certificate only has a handful
// of fields that change. Everything here is definite-length DER with minimal length octets.

/** Tags used by node certificates (universal, or context-specific as noted). */
export const TAG = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  /** [0] EXPLICIT, constructed: the version of a TBSCertificate. */
  explicit0: 0xa0,
  /** [3] EXPLICIT, constructed: the extensions of a TBSCertificate. */
  explicit3: 0xa3,
  /** GeneralName rfc822Name: [1] IMPLICIT IA5String. */
  rfc822Name: 0x81,
  /** GeneralName uniformResourceIdentifier: [6] IMPLICIT IA5String. */
  uri: 0x86,
} as const;

/** One tag-length-value element whose content is the concatenation of `contents`. */
export function derElement(tag: number, ...contents: readonly Uint8Array[]): Buffer {
  let length = 0;
  for (const content of contents) length += content.length;
  const header = lengthHeader(tag, length);
  const out = Buffer.allocUnsafe(header.length + length);
  out.set(header, 0);
  let offset = header.length;
  for (const content of contents) {
    out.set(content, offset);
    offset += content.length;
  }
  return out;
}

function lengthHeader(tag: number, length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(tag, length);
  if (length <= 0xff) return Uint8Array.of(tag, 0x81, length);
  if (length <= 0xffff) return Uint8Array.of(tag, 0x82, length >> 8, length & 0xff);
  if (length <= 0xffffff) return Uint8Array.of(tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff);
  throw new RangeError(`DER element of ${length} bytes is too long for a certificate`);
}

/**
 * A positive INTEGER from big-endian magnitude bytes: leading zero octets dropped, one 0x00 put
 * back when the top bit is set (X.690 §8.3.2), as the X.509 library writes serial numbers.
 */
export function derPositiveInteger(magnitude: Uint8Array): Buffer {
  let first = 0;
  while (first < magnitude.length - 1 && magnitude[first] === 0) first++;
  const bytes = magnitude.subarray(first);
  return (bytes[0] ?? 0) > 0x7f
    ? derElement(TAG.integer, Uint8Array.of(0), bytes)
    : derElement(TAG.integer, bytes);
}

/**
 * An X.509 Time (RFC 5280 §4.1.2.5): UTCTime up to 2049, GeneralizedTime from 2050, whole seconds
 * in UTC with a Z, no fraction.
 */
export function derTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const rest =
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds()) +
    'Z';
  if (year <= 2049) return derElement(TAG.utcTime, Buffer.from(pad2(year % 100) + rest, 'latin1'));
  return derElement(TAG.generalizedTime, Buffer.from(String(year).padStart(4, '0') + rest, 'latin1'));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Where one element sits in a buffer: its tag, where its content starts, and where it ends. */
export interface DerSpan {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/**
 * Reads the element at `offset`, which must end at or before `limit`. Only the definite form with
 * single-octet tags is accepted (all that X.509 structures use); throws RangeError otherwise.
 */
export function readDerElement(der: Uint8Array, offset = 0, limit = der.length): DerSpan {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f)
    throw new RangeError(`no DER element at offset ${offset}`);
  let contentStart = offset + 2;
  let length = first;
  if (first & 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 3) throw new RangeError(`unsupported DER length at offset ${offset}`);
    length = 0;
    for (let i = 0; i < octets; i++) {
      const octet = der[contentStart + i];
      if (octet === undefined) throw new RangeError(`DER length cut short at offset ${offset}`);
      length = length * 256 + octet;
    }
    contentStart += octets;
  }
  const end = contentStart + length;
  if (end > limit) throw new RangeError(`DER element at offset ${offset} runs past its container`);
  return { tag, start: offset, contentStart, end };
}
