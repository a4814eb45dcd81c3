import { X509Certificate, createHash } from 'node:crypto';
import { type NodeId, normalizeSerial, parseReloadUri } from '@p2psip/identity';

/**
 * Who signed a value, as far as the overlay's CA vouches for it: only what the checks need, so a
 * peer can cache thousands of signers cheaply (no parsed X.509 object, no PEM).
 */
export interface SignerInfo {
  /** Serial number, lower-case hex (revocation lists name certificates by it). */
  readonly serialNumber: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  /** The user name (rfc822Name) the certificate carries: the AOR user@domain. */
  readonly userName: string | undefined;
  /** The certificate's Node-IDs in this overlay. */
  readonly nodeIds: readonly NodeId[];
  /** The certificate's public key, ready for signature checks. */
  readonly publicKey: X509Certificate['publicKey'];
}

/**
 * Decides whether a signer certificate counts (RFC 6940 §7.1: a signature is only as good as the
 * certificate): issued by the overlay CA, valid now, not revoked.
 */
export interface CertificateTrust {
  signerOf(certificateDer: Uint8Array, nowMs: number): SignerInfo | undefined;
}

export interface CertificateTrustInit {
  /** DER of the overlay's root certificate (the enrollment CA). */
  readonly caCertificateDer: Uint8Array;
  /** Overlay name: only its `reload://…@<overlay>/` Node-IDs count. */
  readonly overlay: string;
  /** Revocations the node follows (NATS stream or CRL), by serial number. */
  readonly isRevoked?: (certificate: { readonly serialNumber: string }) => boolean;
  /** Parsed certificates kept; signers repeat, parsing X.509 is the expensive part. @default 4096 */
  readonly cacheSize?: number;
  /**
   * How far a certificate's notBefore may lie in this node's future: a user stores right after
   * enrolling, and the CA's clock may run ahead of this peer's. @default 5 minutes
   */
  readonly clockSkewMs?: number;
}

const DEFAULT_CACHE_SIZE = 4096;
const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;

/** The CA-rooted trust every peer and client uses; parsed certificates are cached by their bytes. */
export function createCertificateTrust(init: CertificateTrustInit): CertificateTrust {
  const ca = new X509Certificate(init.caCertificateDer);
  const cacheSize = init.cacheSize ?? DEFAULT_CACHE_SIZE;
  const cache = new Map<string, SignerInfo | null>();
  return {
    signerOf(certificateDer, nowMs) {
      const key = createHash('sha256').update(certificateDer).digest('base64');
      let signer = cache.get(key);
      if (signer === undefined) {
        signer = parseSigner(certificateDer, ca, init.overlay);
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
        cache.set(key, signer);
      }
      if (!signer) return undefined;
      const skew = init.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
      if (nowMs + skew < signer.notBeforeMs || nowMs > signer.notAfterMs) return undefined;
      if (init.isRevoked?.(signer)) return undefined;
      return signer;
    },
  };
}

/**
 * Reads a signer with OpenSSL's parser (node:crypto), which is an order of magnitude cheaper than
 * a full ASN.1 model: a busy peer meets a new signer certificate with most values it stores.
 */
function parseSigner(der: Uint8Array, ca: X509Certificate, overlay: string): SignerInfo | null {
  try {
    const certificate = new X509Certificate(der);
    // Issuance only: validity is checked on every use, so the cached answer never goes stale.
    if (certificate.ca || !certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) return null;
    const names = subjectAltNames(certificate.subjectAltName ?? '');
    const emails = names.filter((n) => n.type === 'email').map((n) => n.value);
    if (emails.length > 1) return null;
    const nodeIds = names
      .filter((n) => n.type === 'URI')
      .map((n) => parseReloadUri(n.value))
      .filter((uri) => uri.overlay === overlay)
      .map((uri) => uri.nodeId);
    return {
      serialNumber: normalizeSerial(certificate.serialNumber),
      notBeforeMs: Date.parse(certificate.validFrom),
      notAfterMs: Date.parse(certificate.validTo),
      userName: emails[0],
      nodeIds,
      publicKey: certificate.publicKey,
    };
  } catch {
    // Unreadable bytes are simply an untrusted signer; the caller answers Forbidden or drops.
    return null;
  }
}

/**
 * OpenSSL's subjectAltName text: `URI:reload://…@overlay/, email:alice@…`; Node quotes (JSON) an
 * entry whose value holds a separator, so a crafted name cannot smuggle in a second entry.
 */
function subjectAltNames(text: string): { type: string; value: string }[] {
  const names: { type: string; value: string }[] = [];
  let rest = text;
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    if (colon <= 0) throw new Error('unparsable subjectAltName');
    const type = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
    let value: string;
    if (rest.startsWith('"')) {
      const close = closingQuote(rest);
      value = JSON.parse(rest.slice(0, close + 1)) as string;
      rest = rest.slice(close + 1);
    } else {
      const comma = rest.indexOf(', ');
      value = comma < 0 ? rest : rest.slice(0, comma);
      rest = comma < 0 ? '' : rest.slice(comma);
    }
    names.push({ type, value });
    if (rest.startsWith(', ')) rest = rest.slice(2);
    else if (rest.length > 0) throw new Error('unparsable subjectAltName');
  }
  return names;
}

/** Index of the quote that ends a JSON string starting at 0. */
function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  throw new Error('unterminated quoted subjectAltName');
}
