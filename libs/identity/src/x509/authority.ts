import { randomBytes } from 'node:crypto';
import { type ReloadCertificate, parseCertificate } from './certificate';
import { type CryptoKey, ECDSA_P256, type KeyPair, generateKeyPair } from './keys';
import { x509 } from './provider';

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
