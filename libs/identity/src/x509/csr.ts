import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { type KeyObject, createPublicKey } from 'node:crypto';
import { InvalidCsrError } from '../errors';
import { verifyCsrSignatureNatively } from './csr-signature';
import { readDerElement } from './der';
import { ECDSA_P256, type KeyPair, toPem } from './keys';
import { x509 } from './provider';

/** The public key of a CSR or certificate, described enough to apply a key policy. */
export interface PublicKeyDescription {
  readonly algorithm: 'ECDSA' | 'RSA' | 'Ed25519' | 'other';
  readonly namedCurve?: string;
  readonly modulusLength?: number;
}

export interface ParsedCsr {
  readonly der: Buffer;
  /** The requested user name, if the CSR names one (ignored by the enrollment server). */
  readonly requestedUserName: string | undefined;
  readonly subject: string;
  readonly key: PublicKeyDescription;
  readonly publicKey: x509.PublicKey;
}

/**
 * A PKCS#10 request for an overlay certificate: empty subject, and the user name as an
 * rfc822Name in a requested subjectAltName (RFC 6940 §11.3 leaves the field open).
 */
export async function createCsr(
  keys: KeyPair,
  options: { userName?: string } = {},
): Promise<{ der: Buffer; pem: string }> {
  const extensions = options.userName
    ? [new x509.SubjectAlternativeNameExtension([{ type: 'email', value: options.userName }])]
    : [];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: '',
    keys,
    signingAlgorithm: ECDSA_P256,
    extensions,
  });
  const der = Buffer.from(csr.rawData);
  return { der, pem: toPem(der, 'CERTIFICATE REQUEST') };
}

const PEM_CSR =
  /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]+?)-----END (NEW )?CERTIFICATE REQUEST-----/;

/** Parses a CSR (DER or PEM) and checks its self-signature; throws InvalidCsrError. */
export async function parseCsr(input: string | Uint8Array): Promise<ParsedCsr> {
  const der = toDer(input);
  const request = parseRequest(der);
  const verified = await verifyRequest(request, der);
  const csr = new x509.Pkcs10CertificateRequest(request);
  return {
    der,
    // The CA ignores names in CSRs; only parse the extension when someone asks.
    get requestedUserName() {
      return requestedEmail(csr);
    },
    subject: csr.subject,
    key: verified.key,
    publicKey: new x509.PublicKey(verified.publicKeySpki),
  };
}

/** The key of a CSR whose self-signature was checked. */
export interface VerifiedCsrKey {
  /** SubjectPublicKeyInfo, DER: the exact bytes the CSR carries. */
  readonly publicKeySpki: Buffer;
  readonly key: PublicKeyDescription;
}

/**
 * The CA's hot-path form of parseCsr for a DER CSR: the same structure and signature checks, but
 * one parse and one key import, and only the key comes back. Throws InvalidCsrError.
 */
export async function verifyCsr(der: Uint8Array): Promise<VerifiedCsrKey> {
  return verifyRequest(parseRequest(der), der);
}

// What the X.509 library's Pkcs10CertificateRequest constructor checks, without its wrapper.
function parseRequest(der: Uint8Array): CertificationRequest {
  try {
    return AsnConvert.parse(der, CertificationRequest);
  } catch (cause) {
    throw new InvalidCsrError('not a DER/PEM PKCS#10 request', { cause });
  }
}

async function verifyRequest(request: CertificationRequest, der: Uint8Array): Promise<VerifiedCsrKey> {
  const publicKeySpki = subjectPublicKeyInfoOf(request);
  let key: KeyObject;
  try {
    key = importSpki(publicKeySpki);
  } catch (cause) {
    throw new InvalidCsrError('the CSR public key cannot be read', { cause });
  }
  let signatureValid: boolean;
  try {
    signatureValid =
      verifyCsrSignatureNatively(request, key) ?? (await new x509.Pkcs10CertificateRequest(der).verify());
  } catch (cause) {
    throw new InvalidCsrError('the CSR signature cannot be checked (unsupported algorithm?)', { cause });
  }
  if (!signatureValid) throw new InvalidCsrError('the CSR signature does not match its key');
  return { publicKeySpki, key: isP256Spki(publicKeySpki) ? P256 : describeKeyObject(key) };
}

// The SubjectPublicKeyInfo of an uncompressed P-256 point (id-ecPublicKey, prime256v1, BIT STRING
// 04 || X || Y): every prefix byte is fixed, only X and Y follow.
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');
const P256: PublicKeyDescription = { algorithm: 'ECDSA', namedCurve: 'P-256' };

function isP256Spki(spki: Buffer): boolean {
  return spki.length === P256_SPKI_PREFIX.length + 64 && P256_SPKI_PREFIX.equals(spki.subarray(0, 27));
}

/**
 * Imports a SubjectPublicKeyInfo. Node's DER import runs OpenSSL's generic decoder chain (about
 * 110 µs on the CA's machine); for the overlay's own key type, an uncompressed P-256 point, the JWK
 * import builds the same key from X and Y, point checked on the curve too, in about half that.
 */
function importSpki(spki: Buffer): KeyObject {
  if (!isP256Spki(spki)) return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const x = spki.subarray(27, 59).toString('base64url');
  const y = spki.subarray(59).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
}

/** The SubjectPublicKeyInfo's own bytes, cut out of the signed part rather than re-encoded. */
function subjectPublicKeyInfoOf(request: CertificationRequest): Buffer {
  const info = request.certificationRequestInfoRaw;
  if (!info) return Buffer.from(AsnConvert.serialize(request.certificationRequestInfo.subjectPKInfo));
  const bytes = new Uint8Array(info);
  try {
    const sequence = readDerElement(bytes);
    const version = readDerElement(bytes, sequence.contentStart, sequence.end);
    const subject = readDerElement(bytes, version.end, sequence.end);
    const spki = readDerElement(bytes, subject.end, sequence.end);
    return Buffer.from(bytes.subarray(spki.start, spki.end));
  } catch (cause) {
    throw new InvalidCsrError('not a DER PKCS#10 request', { cause });
  }
}

/** Describes a public key from its SubjectPublicKeyInfo, through Node's own key parser. */
export function describePublicKey(key: x509.PublicKey): PublicKeyDescription {
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: Buffer.from(key.rawData), format: 'der', type: 'spki' });
  } catch {
    return { algorithm: 'other' };
  }
  return describeKeyObject(keyObject);
}

function describeKeyObject(keyObject: KeyObject): PublicKeyDescription {
  const details = keyObject.asymmetricKeyDetails ?? {};
  switch (keyObject.asymmetricKeyType) {
    case 'ec':
      return { algorithm: 'ECDSA', namedCurve: curveName(details.namedCurve) };
    case 'rsa':
    case 'rsa-pss':
      return { algorithm: 'RSA', ...(details.modulusLength ? { modulusLength: details.modulusLength } : {}) };
    case 'ed25519':
      return { algorithm: 'Ed25519' };
    default:
      return { algorithm: 'other' };
  }
}

// Node names curves by their OpenSSL names; certificates and policies speak of NIST names.
function curveName(openSslName: string | undefined): string {
  const nist: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
  return openSslName ? (nist[openSslName] ?? openSslName) : 'unknown';
}

function requestedEmail(csr: x509.Pkcs10CertificateRequest): string | undefined {
  // getExtension on a CSR takes the OID string only (passing the class silently returns null).
  const extension = csr.getExtension('2.5.29.17');
  if (!extension) return undefined;
  const san = new x509.SubjectAlternativeNameExtension(extension.rawData);
  return san.names.toJSON().find((name) => name.type === 'email')?.value;
}

function toDer(input: string | Uint8Array): Buffer {
  if (typeof input !== 'string') return Buffer.from(input);
  const block = PEM_CSR.exec(input);
  if (!block) throw new InvalidCsrError('no PEM certificate request found');
  return Buffer.from((block[2] ?? '').replace(/\s+/g, ''), 'base64');
}
