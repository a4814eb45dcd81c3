import type { PublicKeyDescription } from '@p2psip/identity';

/**
 * The subject keys the CA certifies: ECDSA P-256 (our default) and P-384, RSA of 2048 to 8192
 * bits (RELOAD's mandatory algorithm family), Ed25519. Anything weaker is refused as bad_CSR.
 */
export function isAcceptableKey(key: PublicKeyDescription): boolean {
  switch (key.algorithm) {
    case 'ECDSA':
      return key.namedCurve === 'P-256' || key.namedCurve === 'P-384';
    case 'RSA':
      return key.modulusLength !== undefined && key.modulusLength >= 2048 && key.modulusLength <= 8192;
    case 'Ed25519':
      return true;
    default:
      return false;
  }
}
