import { SecurityBlockError } from './errors';

// RELOAD SecurityBlock (RFC 6940 §6.3.4), big-endian, TLS presentation language:
//   GenericCertificate certificates<0..2^16-1>;   each { uint8 type; opaque certificate<0..2^16-1> }
//   Signature { SignatureAndHashAlgorithm { uint8 hash; uint8 signature }
//               SignerIdentity { uint8 identity_type; uint16 length; value[length] }
//               opaque signature_value<0..2^16-1> }
// with value = { uint8 hash_alg; opaque hash<0..2^8-1> } for cert_hash and cert_hash_node_id.

/** RFC 6091 certificate type. */
export const CERTIFICATE_TYPE_X509 = 0;
/** TLS HashAlgorithm / SignatureAlgorithm code points (RFC 5246 §7.4.1.4.1). */
export const HASH_ALGORITHM_SHA256 = 4;
export const SIGNATURE_ALGORITHM_RSA = 1;
export const SIGNATURE_ALGORITHM_ECDSA = 3;

const IDENTITY_TYPES = { cert_hash: 1, cert_hash_node_id: 2, none: 3 } as const;
const UINT8_MAX = 0xff;
const UINT16_MAX = 0xffff;

export interface GenericCertificate {
  readonly type: number;
  /** DER for X.509. */
  readonly certificate: Uint8Array;
}

export type SignerIdentity =
  /** The signer's certificate holds one Node-ID: hash over its DER. */
  | { readonly type: 'cert_hash'; readonly hashAlgorithm: number; readonly hash: Uint8Array }
  /** The certificate holds several Node-IDs: hash over Node-ID ‖ DER. */
  | { readonly type: 'cert_hash_node_id'; readonly hashAlgorithm: number; readonly hash: Uint8Array }
  /** Only in synthesised Fetch answers. */
  | { readonly type: 'none' };

export interface SignatureAndHashAlgorithm {
  readonly hash: number;
  readonly signature: number;
}

export interface Signature {
  readonly algorithm: SignatureAndHashAlgorithm;
  readonly identity: SignerIdentity;
  /** For ECDSA the DER `ECDSA-Sig-Value`, as TLS carries it. */
  readonly value: Uint8Array;
}

export interface SecurityBlock {
  readonly certificates: readonly GenericCertificate[];
  readonly signature: Signature;
}

export function encodeSecurityBlock(block: SecurityBlock): Buffer {
  const certificates = Buffer.concat(
    block.certificates.map((entry) =>
      Buffer.concat([uint8(entry.type, 'certificate type'), vector16(entry.certificate, 'certificate')]),
    ),
  );
  const { algorithm, identity, value } = block.signature;
  return Buffer.concat([
    vector16(certificates, 'certificates'),
    uint8(algorithm.hash, 'hash algorithm'),
    uint8(algorithm.signature, 'signature algorithm'),
    encodeSignerIdentity(identity),
    vector16(value, 'signature value'),
  ]);
}

/** Strict: every length must fit, and no byte may follow the block. */
export function decodeSecurityBlock(bytes: Uint8Array): SecurityBlock {
  const reader = new Reader(bytes, 'security block');
  const certificateReader = reader.nested(reader.uint16('certificates length'), 'certificates');
  const certificates: GenericCertificate[] = [];
  while (!certificateReader.atEnd()) {
    const type = certificateReader.uint8('certificate type');
    certificates.push({ type, certificate: certificateReader.vector16('certificate') });
  }
  const algorithm = { hash: reader.uint8('hash algorithm'), signature: reader.uint8('signature algorithm') };
  const identity = decodeIdentity(reader);
  const value = reader.vector16('signature value');
  reader.expectEnd();
  return { certificates, signature: { algorithm, identity, value } };
}

/** The RELOAD encoding of a SignerIdentity (part of every signature input, RFC 6940 §6.3.4, §7.1). */
export function encodeSignerIdentity(identity: SignerIdentity): Buffer {
  const value =
    identity.type === 'none'
      ? Buffer.alloc(0)
      : Buffer.concat([uint8(identity.hashAlgorithm, 'identity hash algorithm'), vector8(identity.hash)]);
  return Buffer.concat([uint8(IDENTITY_TYPES[identity.type], 'identity type'), vector16(value, 'identity')]);
}

function decodeIdentity(reader: Reader): SignerIdentity {
  const code = reader.uint8('identity type');
  const value = reader.nested(reader.uint16('identity length'), 'identity');
  const type = (Object.keys(IDENTITY_TYPES) as (keyof typeof IDENTITY_TYPES)[]).find(
    (name) => IDENTITY_TYPES[name] === code,
  );
  if (type === undefined) throw malformed(`unknown signer identity type ${code}`);
  if (type === 'none') {
    value.expectEnd();
    return { type };
  }
  const hashAlgorithm = value.uint8('identity hash algorithm');
  const hash = value.vector8('identity hash');
  value.expectEnd();
  return { type, hashAlgorithm, hash };
}

/** A cursor over bytes whose every read is bounds-checked. */
class Reader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  atEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  uint8(field: string): number {
    return this.take(1, field)[0];
  }

  uint16(field: string): number {
    return this.take(2, field).readUInt16BE(0);
  }

  vector8(field: string): Buffer {
    return this.take(this.uint8(`${field} length`), field);
  }

  vector16(field: string): Buffer {
    return this.take(this.uint16(`${field} length`), field);
  }

  nested(length: number, what: string): Reader {
    return new Reader(this.take(length, what), what);
  }

  expectEnd(): void {
    const left = this.bytes.length - this.offset;
    if (left !== 0) throw malformed(`${left} unexpected byte(s) after the ${this.what}`);
  }

  private take(length: number, field: string): Buffer {
    const end = this.offset + length;
    if (end > this.bytes.length) {
      throw malformed(
        `${field} needs ${length} byte(s), ${this.bytes.length - this.offset} left in the ${this.what}`,
      );
    }
    // A copy, so decoded values never alias (and pin) the caller's buffer.
    const bytes = Buffer.from(this.bytes.subarray(this.offset, end));
    this.offset = end;
    return bytes;
  }
}

function uint8(value: number, field: string): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > UINT8_MAX) throw invalid(`${field} must be 0..255`);
  return Buffer.of(value);
}

function vector8(bytes: Uint8Array): Buffer {
  if (bytes.length > UINT8_MAX) throw invalid(`identity hash is ${bytes.length} bytes, at most 255 fit`);
  return Buffer.concat([Buffer.of(bytes.length), bytes]);
}

function vector16(bytes: Uint8Array, field: string): Buffer {
  if (bytes.length > UINT16_MAX) throw invalid(`${field} is ${bytes.length} bytes, at most 65535 fit`);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function malformed(message: string): SecurityBlockError {
  return new SecurityBlockError('MALFORMED_SECURITY_BLOCK', message);
}

function invalid(message: string): SecurityBlockError {
  return new SecurityBlockError('INVALID_SECURITY_BLOCK', message);
}
