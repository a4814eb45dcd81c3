import { createPrivateKey, type KeyObject, type webcrypto } from 'node:crypto';
import { InvalidKeyError } from '../errors';
import { subtle } from './provider';

/** ECDSA P-256 with SHA-256: the overlay's default key and signature algorithm (DESIGN.md §4). */
export const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** WebCrypto key, named here because this Node-only project does not load the DOM typings. */
export type CryptoKey = webcrypto.CryptoKey;

export interface KeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/** A fresh, exportable ECDSA P-256 key pair. */
export async function generateKeyPair(): Promise<KeyPair> {
  return subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
}

/** PKCS#8 PEM, the form TLS stacks (grpc-js, OpenSSL) read private keys in. */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  return toPem(der, 'PRIVATE KEY');
}

/** SubjectPublicKeyInfo PEM. */
export async function exportPublicKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('spki', key));
  return toPem(der, 'PUBLIC KEY');
}

/**
 * Imports a PEM private key (PKCS#8, or OpenSSL's traditional EC/RSA forms) as a signing key with
 * the algorithm its type implies: P-256 → ECDSA/SHA-256, RSA → PKCS#1 v1.5/SHA-256 (RELOAD's
 * mandatory algorithm), Ed25519.
 */
export async function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(pem);
  } catch (cause) {
    throw new InvalidKeyError('not a readable PEM private key', { cause });
  }
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  return subtle.importKey('pkcs8', pkcs8, signingAlgorithmOf(keyObject), true, ['sign']);
}

function signingAlgorithmOf(
  key: KeyObject,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1')
      throw new InvalidKeyError(`EC curve ${curve ?? '?'} is not supported (P-256 only)`);
    return { name: 'ECDSA', namedCurve: 'P-256' };
  }
  if (type === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (type === 'ed25519') return { name: 'Ed25519' };
  throw new InvalidKeyError(`key type ${type ?? '?'} is not supported`);
}

export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
