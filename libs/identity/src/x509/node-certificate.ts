import { KeyObject, sign } from 'node:crypto';
import { InvalidCertificateError, InvalidKeyError } from '../errors';
import type { NodeId } from '../ring-id';
import { type CertificateAuthority, randomSerialNumber } from './authority';
import { type ReloadCertificate, normalizeSerial, parseCertificate } from './certificate';
import { TAG, derElement, derPositiveInteger, derTime, readDerElement } from './der';
import type { CryptoKey } from './keys';
import { x509 } from './provider';
import { formatReloadUri } from './reload-uri';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface IssueNodeCertificateInit {
  readonly authority: CertificateAuthority;
  /**
   * The subject's public key, usually taken from its verified CSR: a key object, or the
   * SubjectPublicKeyInfo DER exactly as the verified CSR carried it (copied as is).
   */
  readonly publicKey: x509.PublicKey | CryptoKey | Uint8Array;
  readonly overlay: string;
  readonly nodeIds: readonly NodeId[];
  /** The user name (AOR user@domain), written as the one rfc822Name. */
  readonly userName: string;
  /** Hex, positive; @default randomSerialNumber() */
  readonly serialNumber?: string;
  /** @default now */
  readonly notBefore?: Date;
  /** @default 365 days */
  readonly validityMs?: number;
}

/** A certificate just issued: its DER and the facts the issuer already knows, without a re-parse. */
export interface IssuedCertificate {
  readonly der: Buffer;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * An overlay node certificate (RFC 6940 §13.3, DESIGN.md §4): empty subject; subjectAltName with
 * one `reload://<Node-ID>@<overlay>/` URI per Node-ID and one email = the user name. It serves
 * as both TLS client and server certificate, since every node is both on its links.
 */
export async function issueNodeCertificate(init: IssueNodeCertificateInit): Promise<ReloadCertificate> {
  return parseCertificate((await issueNodeCertificateDer(init)).der);
}

/**
 * Like issueNodeCertificate, for the CA's hot path: returns the DER and the facts it holds
 * instead of parsing the new certificate again.
 */
export async function issueNodeCertificateDer(init: IssueNodeCertificateInit): Promise<IssuedCertificate> {
  // X.509 times have whole seconds; the facts returned must be what the certificate says.
  const notBefore = wholeSeconds(init.notBefore ?? new Date());
  const notAfter = wholeSeconds(new Date(notBefore.getTime() + (init.validityMs ?? 365 * DAY_MS)));
  const serialNumber = init.serialNumber ?? randomSerialNumber();
  // rfc822Name is an IA5String: anything beyond printable ASCII would be mangled, not refused.
  if (!/^[\x21-\x7e]+$/.test(init.userName))
    throw new InvalidCertificateError('a user name in a certificate must be printable ASCII');
  const template = await nodeCertificateTemplate(init.authority);
  const der = template.issue({
    serial: serialOctets(serialNumber),
    notBefore,
    notAfter,
    subjectPublicKeyInfo: subjectPublicKeyInfo(init.publicKey),
    uris: init.nodeIds.map((nodeId) => formatReloadUri(nodeId, init.overlay)),
    userName: init.userName,
  });
  return { der, serialNumber: normalizeSerial(serialNumber), notBefore, notAfter };
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** What changes from one node certificate to the next. */
interface NodeCertificateFields {
  /** Big-endian magnitude, not all zeros. */
  readonly serial: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectPublicKeyInfo: Uint8Array;
  /** ASCII: `reload://` URIs, then the user name as rfc822Name. */
  readonly uris: readonly string[];
  readonly userName: string;
}

// Fixed DER pieces: version v3 ([0] EXPLICIT INTEGER 2), an empty subject Name, the
// subjectAltName OID 2.5.29.17 and critical = TRUE (an empty subject requires a critical
// subjectAltName, RFC 5280 §4.2.1.6), and the leading zero octet of the signature BIT STRING.
const VERSION_3 = Buffer.from('a003020102', 'hex');
const EMPTY_NAME = Buffer.from('3000', 'hex');
const SUBJECT_ALT_NAME_CRITICAL = Buffer.from('0603551d110101ff', 'hex');
const NO_UNUSED_BITS = Uint8Array.of(0);

// The same for every node certificate, written by the X.509 library (and compared byte for byte
// with its generator's output in node-certificate.spec.ts).
const FIXED_EXTENSIONS = [
  new x509.BasicConstraintsExtension(false, undefined, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
  new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
];

/**
 * Everything of a node certificate that is the same for every issuance by one CA (issuer, signature
 * algorithm, fixed extensions, authority key identifier) as ready DER, so an issuance only writes
 * the serial, validity, key and subjectAltName around them and signs. The output is the same DER
 * the X.509 library's generator writes for the same inputs (node-certificate.spec.ts checks it).
 */
class NodeCertificateTemplate {
  constructor(
    private readonly signing: CaSigning,
    /** The CA certificate's subject Name, the exact bytes (RFC 5280 §4.1.2.4 name chaining). */
    private readonly issuer: Buffer,
    private readonly extensionsBeforeSan: Buffer,
    private readonly extensionsAfterSan: Buffer,
  ) {}

  issue(fields: NodeCertificateFields): Buffer {
    const generalNames = derElement(
      TAG.sequence,
      ...fields.uris.map((uri) => derElement(TAG.uri, Buffer.from(uri, 'latin1'))),
      derElement(TAG.rfc822Name, Buffer.from(fields.userName, 'latin1')),
    );
    const subjectAltName = derElement(
      TAG.sequence,
      SUBJECT_ALT_NAME_CRITICAL,
      derElement(TAG.octetString, generalNames),
    );
    const tbs = derElement(
      TAG.sequence,
      VERSION_3,
      derPositiveInteger(fields.serial),
      this.signing.algorithmIdentifier,
      this.issuer,
      derElement(TAG.sequence, derTime(fields.notBefore), derTime(fields.notAfter)),
      EMPTY_NAME,
      fields.subjectPublicKeyInfo,
      derElement(
        TAG.explicit3,
        derElement(TAG.sequence, this.extensionsBeforeSan, subjectAltName, this.extensionsAfterSan),
      ),
    );
    const signature = sign(this.signing.hash, tbs, { key: this.signing.key, dsaEncoding: 'der' });
    return derElement(
      TAG.sequence,
      tbs,
      this.signing.algorithmIdentifier,
      derElement(TAG.bitString, NO_UNUSED_BITS, signature),
    );
  }
}

const templates = new WeakMap<CertificateAuthority, Promise<NodeCertificateTemplate>>();

function nodeCertificateTemplate(authority: CertificateAuthority): Promise<NodeCertificateTemplate> {
  let template = templates.get(authority);
  if (!template) {
    template = createTemplate(authority);
    templates.set(authority, template);
  }
  return template;
}

async function createTemplate(authority: CertificateAuthority): Promise<NodeCertificateTemplate> {
  // The authority key identifier hashes the CA's public key: once per CA, not per certificate.
  const authorityKeyIdentifier = await x509.AuthorityKeyIdentifierExtension.create(
    authority.certificate.x509,
  );
  return new NodeCertificateTemplate(
    caSigning(authority.keys.privateKey),
    subjectNameOf(authority.certificate.der),
    Buffer.concat(FIXED_EXTENSIONS.map((extension) => Buffer.from(extension.rawData))),
    Buffer.from(authorityKeyIdentifier.rawData),
  );
}

/** How the CA signs: its key for node:crypto, the hash to name, and the AlgorithmIdentifier DER. */
interface CaSigning {
  readonly key: KeyObject;
  /** null for Ed25519, which hashes internally. */
  readonly hash: string | null;
  readonly algorithmIdentifier: Buffer;
}

// The algorithm follows the CA key, as it did with the X.509 library's generator: the key types
// importPrivateKeyPem accepts (ECDSA P-256, RSA PKCS#1 v1.5 with SHA-256, Ed25519).
function caSigning(privateKey: CryptoKey): CaSigning {
  const key = KeyObject.from(privateKey);
  const algorithm = privateKey.algorithm as { name: string; namedCurve?: string; hash?: { name: string } };
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256') {
    // ecdsa-with-SHA256 (1.2.840.10045.4.3.2), parameters absent (RFC 5758 §3.2)
    return { key, hash: 'sha256', algorithmIdentifier: Buffer.from('300a06082a8648ce3d040302', 'hex') };
  }
  if (algorithm.name === 'RSASSA-PKCS1-v1_5' && algorithm.hash?.name === 'SHA-256') {
    // sha256WithRSAEncryption (1.2.840.113549.1.1.11), parameters NULL (RFC 4055 §5)
    return { key, hash: 'sha256', algorithmIdentifier: Buffer.from('300d06092a864886f70d01010b0500', 'hex') };
  }
  if (algorithm.name === 'Ed25519') {
    // id-Ed25519 (1.3.101.112), parameters absent (RFC 8410 §3)
    return { key, hash: null, algorithmIdentifier: Buffer.from('300506032b6570', 'hex') };
  }
  throw new InvalidKeyError(`a CA key of type ${JSON.stringify(algorithm)} cannot sign node certificates`);
}

/** The subject Name of a certificate, as the exact DER bytes it carries. */
function subjectNameOf(certificateDer: Uint8Array): Buffer {
  const certificate = readDerElement(certificateDer);
  const tbs = readDerElement(certificateDer, certificate.contentStart, certificate.end);
  let field = readDerElement(certificateDer, tbs.contentStart, tbs.end);
  if (field.tag === TAG.explicit0) field = readDerElement(certificateDer, field.end, tbs.end);
  // serial → signature → issuer → validity → subject
  for (let skip = 0; skip < 4; skip++) field = readDerElement(certificateDer, field.end, tbs.end);
  return Buffer.from(certificateDer.subarray(field.start, field.end));
}

function subjectPublicKeyInfo(publicKey: x509.PublicKey | CryptoKey | Uint8Array): Uint8Array {
  if (publicKey instanceof Uint8Array) {
    let span: { tag: number; end: number } | undefined;
    try {
      span = readDerElement(publicKey);
    } catch {
      span = undefined;
    }
    if (span?.tag !== TAG.sequence || span.end !== publicKey.length)
      throw new InvalidCertificateError('the public key is not one SubjectPublicKeyInfo DER element');
    return publicKey;
  }
  if (publicKey instanceof x509.PublicKey) return new Uint8Array(publicKey.rawData);
  return KeyObject.from(publicKey).export({ format: 'der', type: 'spki' });
}

/** The magnitude octets of a positive hex serial number. */
function serialOctets(serialNumber: string): Buffer {
  if (!/^[0-9a-f]+$/i.test(serialNumber))
    throw new InvalidCertificateError(`serial number ${JSON.stringify(serialNumber)} is not hex`);
  const octets = Buffer.from(serialNumber.length % 2 ? `0${serialNumber}` : serialNumber, 'hex');
  if (octets.every((octet) => octet === 0))
    throw new InvalidCertificateError('a serial number must be positive (RFC 5280 §4.1.2.2)');
  return octets;
}
