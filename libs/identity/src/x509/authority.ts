import { KeyObject, randomBytes, sign as nodeSign, webcrypto } from 'node:crypto';
import { InvalidCertificateError } from '../errors';
import type { NodeId } from '../ring-id';
import { type ReloadCertificate, normalizeSerial, parseCertificate } from './certificate';
import { type CryptoKey, ECDSA_P256, type KeyPair, generateKeyPair } from './keys';
import { x509 } from './provider';
import { formatReloadUri } from './reload-uri';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate authority: its certificate and the key that signs with it. */
export interface CertificateAuthority {
  readonly certificate: ReloadCertificate;
  readonly keys: KeyPair;
}

export interface CreateAuthorityInit {
  /** Overlay name; it becomes the CA's common name ("<overlay> root CA"). */
  readonly overlay: string;
  /** @default a fresh ECDSA P-256 pair */
  readonly keys?: KeyPair;
  /** @default 10 years */
  readonly validityMs?: number;
  /** @default now */
  readonly notBefore?: Date;
}

/** A self-signed root for an overlay: BasicConstraints CA (critical), keyCertSign and cRLSign. */
export async function createCertificateAuthority(init: CreateAuthorityInit): Promise<CertificateAuthority> {
  const keys = init.keys ?? (await generateKeyPair());
  const notBefore = init.notBefore ?? new Date();
  const name = `CN=${init.overlay} root CA`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (init.validityMs ?? 3650 * DAY_MS)),
    signingAlgorithm: ECDSA_P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: parseCertificate(Buffer.from(cert.rawData)), keys };
}

export interface IssueNodeCertificateInit {
  readonly authority: CertificateAuthority;
  /** The subject's public key, usually taken from its verified CSR. */
  readonly publicKey: x509.PublicKey | CryptoKey;
  readonly overlay: string;
  readonly nodeIds: readonly NodeId[];
  /** The user name (AOR user@domain), written as the one rfc822Name. */
  readonly userName: string;
  /** Lower-case hex; @default 16 random bytes */
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
 * Like issueNodeCertificate, for the CA's hot path: returns the DER and its known facts instead of
 * parsing the new certificate again (a parse costs about as much as a third of the issuance).
 */
export async function issueNodeCertificateDer(init: IssueNodeCertificateInit): Promise<IssuedCertificate> {
  // X.509 times have whole seconds; the facts returned must be what the certificate says.
  const notBefore = wholeSeconds(init.notBefore ?? new Date());
  const notAfter = wholeSeconds(new Date(notBefore.getTime() + (init.validityMs ?? 365 * DAY_MS)));
  const serialNumber = init.serialNumber ?? randomSerialNumber();
  // rfc822Name is an IA5String: anything beyond printable ASCII would be mangled, not refused.
  if (!/^[\x21-\x7e]+$/.test(init.userName))
    throw new InvalidCertificateError('a user name in a certificate must be printable ASCII');
  const names = [
    ...init.nodeIds.map((nodeId) => ({ type: 'url' as const, value: formatReloadUri(nodeId, init.overlay) })),
    { type: 'email' as const, value: init.userName },
  ];
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber,
      subject: '',
      issuer: init.authority.certificate.x509.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ECDSA_P256,
      publicKey: init.publicKey,
      signingKey: init.authority.keys.privateKey,
      extensions: [
        ...NODE_CERTIFICATE_EXTENSIONS,
        // An empty subject requires the subjectAltName to be critical (RFC 5280 §4.2.1.6).
        new x509.SubjectAlternativeNameExtension(names, true),
        await authorityKeyIdentifier(init.authority),
      ],
    },
    // The library types this as the DOM Crypto; ours has every member the generator uses.
    signingCrypto(init.authority),
  );
  return { der: Buffer.from(cert.rawData), serialNumber: normalizeSerial(serialNumber), notBefore, notAfter };
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

// The same for every node certificate: built once rather than per issuance.
const NODE_CERTIFICATE_EXTENSIONS = [
  new x509.BasicConstraintsExtension(false, undefined, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
  new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
];

// WebCrypto signs on the libuv thread pool: a thread hop per certificate, which on a busy CA
// costs more than the signature. The generator takes the crypto to use, so issuance signs with
// node:crypto synchronously (same key, same IEEE P1363 ECDSA output WebCrypto gives); everything
// else stays WebCrypto.
/** What the generator uses of a WebCrypto `Crypto` (typed here: the DOM typings are not loaded). */
interface SigningCrypto {
  readonly subtle: webcrypto.SubtleCrypto;
  getRandomValues<T extends ArrayBufferView | null>(array: T): T;
}

const signingCryptos = new WeakMap<CertificateAuthority, SigningCrypto>();

function signingCrypto(authority: CertificateAuthority): SigningCrypto {
  let crypto = signingCryptos.get(authority);
  if (!crypto) {
    const key = KeyObject.from(authority.keys.privateKey);
    const subtle = webcrypto.subtle;
    const delegated = Object.create(subtle) as webcrypto.SubtleCrypto;
    Object.defineProperty(delegated, 'sign', {
      value: (_algorithm: unknown, _key: unknown, data: ArrayBuffer | ArrayBufferView) =>
        Promise.resolve(nodeSign('sha256', toBuffer(data), { key, dsaEncoding: 'ieee-p1363' })),
    });
    for (const method of ['digest', 'importKey', 'exportKey', 'verify', 'generateKey'] as const) {
      Object.defineProperty(delegated, method, {
        value: (subtle[method] as (...args: unknown[]) => unknown).bind(subtle),
      });
    }
    crypto = {
      subtle: delegated,
      getRandomValues: webcrypto.getRandomValues.bind(webcrypto) as SigningCrypto['getRandomValues'],
    };
    signingCryptos.set(authority, crypto);
  }
  return crypto;
}

function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data);
}

// The authority key identifier hashes the CA's public key: once per CA, not once per certificate.
const authorityKeyIdentifiers = new WeakMap<
  CertificateAuthority,
  Promise<x509.AuthorityKeyIdentifierExtension>
>();

function authorityKeyIdentifier(
  authority: CertificateAuthority,
): Promise<x509.AuthorityKeyIdentifierExtension> {
  let extension = authorityKeyIdentifiers.get(authority);
  if (!extension) {
    extension = x509.AuthorityKeyIdentifierExtension.create(authority.certificate.x509);
    authorityKeyIdentifiers.set(authority, extension);
  }
  return extension;
}

/**
 * A positive 144-bit serial number in hex (RFC 5280 allows up to 20 octets). 18 bytes with the
 * top nibble fixed non-zero always print as 36 hex digits, so operators' tools can tell a serial
 * from a 32-hex Node-ID by its length alone.
 */
export function randomSerialNumber(): string {
  const bytes = randomBytes(18);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

export interface IssueServerCertificateInit {
  readonly authority: CertificateAuthority;
  readonly publicKey: x509.PublicKey | CryptoKey;
  /** Host names the service is reached by, e.g. `localhost`. */
  readonly dnsNames: readonly string[];
  /** Addresses the service is reached by, e.g. `127.0.0.1`. */
  readonly ipAddresses: readonly string[];
  /** @default now */
  readonly notBefore?: Date;
  /** @default 365 days */
  readonly validityMs?: number;
}

/**
 * A TLS server certificate for a service that ordinary HTTPS clients reach by host name or address
 * (the enrollment server: curl, openssl, browsers check the name). Node certificates, which carry
 * no host names, cannot serve that purpose.
 */
export async function issueServerCertificate(init: IssueServerCertificateInit): Promise<ReloadCertificate> {
  const notBefore = init.notBefore ?? new Date();
  const issuer = init.authority.certificate.x509;
  const names = [
    ...init.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...init.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: `CN=${init.dnsNames[0] ?? init.ipAddresses[0] ?? 'server'}`,
    issuer: issuer.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (init.validityMs ?? 365 * DAY_MS)),
    signingAlgorithm: ECDSA_P256,
    publicKey: init.publicKey,
    signingKey: init.authority.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(issuer),
    ],
  });
  return parseCertificate(Buffer.from(cert.rawData));
}
