import { X509Certificate } from 'node:crypto';
import { type NodeId, type ReloadCertificate, nodeIdsInOverlay, parseCertificate } from '@p2psip/identity';
import { isCertifiedBy } from '@p2psip/overlay-config';

/** Who signed a value, as far as the overlay's CA vouches for it. */
export interface SignerInfo {
  readonly certificate: ReloadCertificate;
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
  /** Revocations the node follows (NATS stream or CRL). */
  readonly isRevoked?: (certificate: ReloadCertificate) => boolean;
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
  const ca = parseCertificate(init.caCertificateDer);
  const cacheSize = init.cacheSize ?? DEFAULT_CACHE_SIZE;
  const cache = new Map<string, SignerInfo | null>();
  return {
    signerOf(certificateDer, nowMs) {
      const key = Buffer.from(certificateDer).toString('base64');
      let signer = cache.get(key);
      if (signer === undefined) {
        signer = parseSigner(certificateDer, ca, init.overlay);
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
        cache.set(key, signer);
      }
      if (!signer) return undefined;
      const { notBefore, notAfter } = signer.certificate;
      const skew = init.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
      if (nowMs + skew < notBefore.getTime() || nowMs > notAfter.getTime()) return undefined;
      if (init.isRevoked?.(signer.certificate)) return undefined;
      return signer;
    },
  };
}

function parseSigner(der: Uint8Array, ca: ReloadCertificate, overlay: string): SignerInfo | null {
  try {
    const certificate = parseCertificate(der);
    // Issuance only: validity is checked on every use, so the cached answer never goes stale.
    if (certificate.isCa || !isCertifiedBy(certificate, ca, certificate.notBefore)) return null;
    return {
      certificate,
      userName: certificate.userName,
      nodeIds: nodeIdsInOverlay(certificate, overlay),
      publicKey: new X509Certificate(certificate.der).publicKey,
    };
  } catch {
    // Unreadable bytes are simply an untrusted signer; the caller answers Forbidden or drops.
    return null;
  }
}
