import { createHash } from 'node:crypto';
import { InvalidCertificateError } from '../errors';
import type { NodeId } from '../ring-id';
import { x509 } from './provider';
import { type ReloadNodeUri, parseReloadUri } from './reload-uri';

/** The parts of an overlay certificate (RFC 6940 §13.3 as narrowed by DESIGN.md §4) we act on. */
export interface ReloadCertificate {
  readonly der: Buffer;
  readonly pem: string;
  /** Serial number, lower-case hex without leading zeros. */
  readonly serialNumber: string;
  /** Every `reload://` URI of the subjectAltName, in order. */
  readonly nodes: readonly ReloadNodeUri[];
  readonly nodeIds: readonly NodeId[];
  /** The rfc822Name of the subjectAltName: the user name, an AOR user@domain. */
  readonly userName: string | undefined;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  /** SHA-256 over the DER, lower-case hex: a stable cache key for a certificate. */
  readonly fingerprint: string;
  /** The library object, for signature checks and key access. */
  readonly x509: x509.X509Certificate;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

// Parsed certificates by SHA-256 of their DER, while anything still holds them. A peer process
// sees the same few hundred certificates on thousands of links and messages; an X.509 parse tree
// costs tens of kilobytes and a parse far more CPU than the hash, and ReloadCertificate is
// immutable, so every holder can share one.
const parsed = new Map<string, WeakRef<ReloadCertificate>>();
const collected = new FinalizationRegistry<string>((fingerprint) => {
  if (parsed.get(fingerprint)?.deref() === undefined) parsed.delete(fingerprint);
});

/** Parses one certificate from PEM text or DER bytes; throws InvalidCertificateError. */
export function parseCertificate(input: string | Uint8Array): ReloadCertificate {
  const der = toDer(input);
  const fingerprint = createHash('sha256').update(der).digest('hex');
  const known = parsed.get(fingerprint)?.deref();
  if (known) return known;
  const certificate = parseDer(der, fingerprint);
  parsed.set(fingerprint, new WeakRef(certificate));
  collected.register(certificate, fingerprint);
  return certificate;
}

function parseDer(der: Buffer, fingerprint: string): ReloadCertificate {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der);
  } catch (cause) {
    throw new InvalidCertificateError('not a DER/PEM X.509 certificate', { cause });
  }
  const names = subjectAltNames(cert);
  const nodes = names.filter((name) => name.type === 'url').map((name) => parseNodeUri(name.value));
  const emails = names.filter((name) => name.type === 'email').map((name) => name.value);
  if (emails.length > 1) throw new InvalidCertificateError('a certificate carries at most one user name');
  const basicConstraints = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    der,
    pem: cert.toString('pem') + '\n',
    serialNumber: normalizeSerial(cert.serialNumber),
    nodes,
    nodeIds: nodes.map((node) => node.nodeId),
    userName: emails[0],
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isCa: basicConstraints?.ca ?? false,
    fingerprint,
    x509: cert,
  };
}

/** Every certificate of a PEM bundle (a chain file, a CA list), in order. */
export function parseCertificateBundle(pem: string): ReloadCertificate[] {
  const blocks = pem.match(new RegExp(PEM_CERTIFICATE.source, 'g')) ?? [];
  if (blocks.length === 0) throw new InvalidCertificateError('no PEM certificate found');
  return blocks.map((block) => parseCertificate(block));
}

/** The Node-IDs a certificate holds in a given overlay (URIs for other overlays are ignored). */
export function nodeIdsInOverlay(cert: ReloadCertificate, overlay: string): NodeId[] {
  const wanted = overlay.toLowerCase();
  return cert.nodes.filter((node) => node.overlay === wanted).map((node) => node.nodeId);
}

/**
 * True when `cert` carries a valid signature by `issuer` and `at` lies inside its validity.
 * Chain building beyond one level is not needed: every overlay certificate is issued by the root.
 */
export async function isIssuedBy(
  cert: ReloadCertificate,
  issuer: ReloadCertificate,
  at: Date = new Date(),
): Promise<boolean> {
  if (at < cert.notBefore || at > cert.notAfter) return false;
  if (cert.issuer !== issuer.subject) return false;
  try {
    return await cert.x509.verify({ publicKey: issuer.x509.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

export function normalizeSerial(serial: string): string {
  const trimmed = serial.toLowerCase().replace(/^0+/, '');
  return trimmed.length === 0 ? '0' : trimmed;
}

function toDer(input: string | Uint8Array): Buffer {
  // A copy of its own, outside Buffer's shared 8 KiB pool: certificates live long, and a slice of
  // a received frame or of a pool slab would keep the whole of it alive.
  if (typeof input !== 'string') return Buffer.from(Uint8Array.prototype.slice.call(input).buffer);
  const block = PEM_CERTIFICATE.exec(input);
  if (!block) throw new InvalidCertificateError('no PEM certificate found');
  const base64 = block[0].replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return Buffer.from(base64, 'base64');
}

function subjectAltNames(cert: x509.X509Certificate): { type: string; value: string }[] {
  try {
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    return san ? san.names.toJSON() : [];
  } catch (cause) {
    throw new InvalidCertificateError('unreadable subjectAltName', { cause });
  }
}

function parseNodeUri(uri: string): ReloadNodeUri {
  try {
    return parseReloadUri(uri);
  } catch (cause) {
    throw new InvalidCertificateError(
      `subjectAltName URI is not a reload:// node URI: ${uri.slice(0, 120)}`,
      { cause },
    );
  }
}
