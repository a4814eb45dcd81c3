import {
  type KeyObject,
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
} from 'node:crypto';
import type { ReloadCertificate } from '@p2psip/identity';
import { ConfigurationSigningError } from './errors';
import {
  CERTIFICATE_TYPE_X509,
  HASH_ALGORITHM_SHA256,
  SIGNATURE_ALGORITHM_ECDSA,
  SIGNATURE_ALGORITHM_RSA,
  type SecurityBlock,
} from './security-block';

/** Who signs a configuration: a node certificate (DER) and its private key (PEM). */
export interface ConfigurationSigner {
  readonly certificateDer: Uint8Array;
  readonly privateKeyPem: string;
}

const MIN_RSA_BITS = 2048;

/**
 * Signs `data` as it stands (no prefix, no canonicalisation) and wraps the signature in a
 * SecurityBlock that carries the signer's certificate and names it by its SHA-256 cert_hash.
 */
export function signBytes(data: Uint8Array, signer: ConfigurationSigner): SecurityBlock {
  const key = readPrivateKey(signer.privateKeyPem);
  const certificate = readCertificate(signer.certificateDer);
  const algorithm = signatureAlgorithmOf(key);
  if (algorithm === undefined) {
    throw new ConfigurationSigningError('INVALID_SIGNER', 'only ECDSA P-256 and RSA (≥ 2048 bits) keys sign');
  }
  if (!sameKey(key, certificate)) {
    throw new ConfigurationSigningError('KEY_MISMATCH', 'the private key does not belong to the certificate');
  }
  return {
    certificates: [{ type: CERTIFICATE_TYPE_X509, certificate: Buffer.from(signer.certificateDer) }],
    signature: {
      algorithm: { hash: HASH_ALGORITHM_SHA256, signature: algorithm },
      identity: {
        type: 'cert_hash',
        hashAlgorithm: HASH_ALGORITHM_SHA256,
        hash: certificateHash(signer.certificateDer),
      },
      value: sign('sha256', data, { key, dsaEncoding: 'der' }),
    },
  };
}

/** SHA-256 over the DER, the cert_hash of a SignerIdentity. */
export function certificateHash(der: Uint8Array): Buffer {
  return createHash('sha256').update(der).digest();
}

/** The X.509 certificate the block's cert_hash identity names, if the block carries it. */
export function findSignerCertificate(block: SecurityBlock): Uint8Array | undefined {
  const identity = block.signature.identity;
  if (identity.type !== 'cert_hash' || identity.hashAlgorithm !== HASH_ALGORITHM_SHA256) return undefined;
  const wanted = Buffer.from(identity.hash);
  return block.certificates.find(
    (entry) => entry.type === CERTIFICATE_TYPE_X509 && certificateHash(entry.certificate).equals(wanted),
  )?.certificate;
}

/** True when the block's signature over `data` verifies with the key of `certificateDer`. */
export function verifyBytes(data: Uint8Array, block: SecurityBlock, certificateDer: Uint8Array): boolean {
  const { algorithm, value } = block.signature;
  try {
    const key = new X509Certificate(certificateDer).publicKey;
    if (algorithm.hash !== HASH_ALGORITHM_SHA256 || algorithm.signature !== signatureAlgorithmOf(key)) {
      return false;
    }
    return verify('sha256', data, { key, dsaEncoding: 'der' }, value);
  } catch {
    // An unreadable certificate or a signature that is not even DER is simply a bad signature.
    return false;
  }
}

/**
 * True when `certificate` is signed by `ca` and valid at `at`: identity's isIssuedBy, done
 * synchronously through OpenSSL so that verifying a document stays a plain function (WebCrypto,
 * which isIssuedBy uses, is promise-only).
 */
export function isCertifiedBy(certificate: ReloadCertificate, ca: ReloadCertificate, at: Date): boolean {
  if (at < certificate.notBefore || at > certificate.notAfter) return false;
  try {
    const subject = new X509Certificate(certificate.der);
    const issuer = new X509Certificate(ca.der);
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** The TLS SignatureAlgorithm for a key the overlay accepts, or undefined. */
function signatureAlgorithmOf(key: KeyObject): number | undefined {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return SIGNATURE_ALGORITHM_ECDSA;
  }
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS) {
    return SIGNATURE_ALGORITHM_RSA;
  }
  return undefined;
}

function readPrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (cause) {
    throw new ConfigurationSigningError('INVALID_SIGNER', 'the private key is not readable PEM', { cause });
  }
}

function readCertificate(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (cause) {
    throw new ConfigurationSigningError('INVALID_SIGNER', 'the signer certificate is not DER X.509', {
      cause,
    });
  }
}

function sameKey(privateKey: KeyObject, certificate: X509Certificate): boolean {
  const spki = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });
  return spki(createPublicKey(privateKey)).equals(spki(certificate.publicKey));
}
