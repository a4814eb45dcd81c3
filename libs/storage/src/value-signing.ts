import { type KeyObject, createHash, createPrivateKey, sign, verify } from 'node:crypto';
import { VerifiedSignatures } from './verified-signatures';
import type { ResourceId } from '@p2psip/identity';
import {
  HASH_ALGORITHM_SHA256,
  SIGNATURE_ALGORITHM_ECDSA,
  SIGNATURE_ALGORITHM_RSA,
  type Signature,
  type SignerIdentity,
} from '@p2psip/overlay-config';
import type { CertificateTrust, SignerInfo } from './certificate-trust';
import type { StoredItem, StoredValue } from './model';
import { valueSignatureInput } from './reload-encoding';

/** The storing user's credentials: its certificate and the matching private key. */
export interface ValueSigner {
  readonly certificateDer: Uint8Array;
  readonly privateKey: KeyObject | string;
}

export interface SignValueInit {
  readonly resourceId: ResourceId;
  readonly kind: number;
  readonly item: StoredItem;
  readonly storageTimeMs: bigint;
  readonly lifetimeS: number;
}

/** Signs a value as its storing user (RFC 6940 §7.1), naming the certificate by its SHA-256 hash. */
export function signValue(init: SignValueInit, signer: ValueSigner): StoredValue {
  const key = typeof signer.privateKey === 'string' ? createPrivateKey(signer.privateKey) : signer.privateKey;
  const identity: SignerIdentity = {
    type: 'cert_hash',
    hashAlgorithm: HASH_ALGORITHM_SHA256,
    hash: createHash('sha256').update(signer.certificateDer).digest(),
  };
  const input = valueSignatureInput(init.resourceId, init.kind, init.storageTimeMs, init.item, identity);
  const signature: Signature = {
    algorithm: { hash: HASH_ALGORITHM_SHA256, signature: signatureAlgorithmOf(key) },
    identity,
    value: sign('sha256', input, { key, dsaEncoding: 'der' }),
  };
  return {
    storageTimeMs: init.storageTimeMs,
    lifetimeS: init.lifetimeS,
    item: init.item,
    signature,
    certificate: Buffer.from(signer.certificateDer),
  };
}

/**
 * The signer of a stored value if its signature holds: the identity names the attached
 * certificate, the overlay trusts that certificate now, and the signature verifies over the
 * RELOAD signature input. Undefined for anything else (forged, altered, expired, revoked).
 */
export function verifyValue(
  resourceId: ResourceId,
  kind: number,
  value: StoredValue,
  trust: CertificateTrust,
  nowMs: number,
  /** Signatures this process already verified (a memo shared by its virtual peers). */
  verified?: VerifiedSignatures,
): SignerInfo | undefined {
  const { identity, algorithm } = value.signature;
  if (identity.type !== 'cert_hash' || identity.hashAlgorithm !== HASH_ALGORITHM_SHA256) return undefined;
  if (algorithm.hash !== HASH_ALGORITHM_SHA256) return undefined;
  if (!createHash('sha256').update(value.certificate).digest().equals(identity.hash)) return undefined;
  const signer = trust.signerOf(value.certificate, nowMs);
  if (!signer || signatureAlgorithmOf(signer.publicKey) !== algorithm.signature) return undefined;
  try {
    // Inside the try: an item the RELOAD encoding cannot hold (a key over 64 KiB) is simply bad.
    const input = valueSignatureInput(resourceId, kind, value.storageTimeMs, value.item, identity);
    const digest = verified && VerifiedSignatures.digestOf(input, value.signature.value);
    if (digest && verified.has(digest)) return signer;
    if (!verify('sha256', input, { key: signer.publicKey, dsaEncoding: 'der' }, value.signature.value)) {
      return undefined;
    }
    if (digest) verified.add(digest);
    return signer;
  } catch {
    return undefined;
  }
}

function signatureAlgorithmOf(key: KeyObject): number {
  return key.asymmetricKeyType === 'rsa' ? SIGNATURE_ALGORITHM_RSA : SIGNATURE_ALGORITHM_ECDSA;
}
