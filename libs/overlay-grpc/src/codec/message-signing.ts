import { type KeyObject, createHash, createPrivateKey, sign, verify } from 'node:crypto';
import type { NodeId } from '@p2psip/identity';
import type { MessageSecurity, OverlayMessage } from '@p2psip/overlay';
import { encodeSignerIdentity, HASH_ALGORITHM_SHA256, type SignerIdentity } from '@p2psip/overlay-config';
import { commonV1, type overlayV1 } from '@p2psip/proto';
import type { CertificateTrust } from '@p2psip/storage';

// Originator signatures on routed messages (RFC 6940 §6.3.4; DESIGN.md §4): the node that creates
// a request or an answer signs overlay ‖ transaction_id ‖ the serialized MessageContents ‖ its
// SignerIdentity; hops forward the bytes untouched; the destination verifies before it acts.

const TLS_SIGNATURE_ECDSA = 3;
const TLS_SIGNATURE_RSA = 1;

/** This node's signing credentials: its certificate (DER) and private key. */
export interface MessageSigner {
  readonly certificateDer: Uint8Array;
  readonly privateKey: KeyObject | string;
}

/** What a decoded message carries for the destination's check (OverlayMessage.wire). */
export interface ReceivedWire {
  readonly contents: Uint8Array;
  readonly security: overlayV1.SecurityBlock | undefined;
  readonly overlay: number;
}

export function isReceivedWire(wire: unknown): wire is ReceivedWire {
  return typeof wire === 'object' && wire !== null && (wire as ReceivedWire).contents instanceof Uint8Array;
}

function signatureInput(
  overlay: number,
  transactionId: bigint,
  contents: Uint8Array,
  identity: SignerIdentity,
): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32BE(overlay >>> 0, 0);
  head.writeBigUInt64BE(BigInt.asUintN(64, transactionId), 4);
  return Buffer.concat([head, contents, encodeSignerIdentity(identity)]);
}

/** Signs a message this node originates; the certificate goes first in the block. */
export function signMessage(
  signer: { certificateDer: Uint8Array; key: KeyObject; certificateHash: Buffer },
  overlay: number,
  transactionId: bigint,
  contents: Uint8Array,
  certificates: readonly Uint8Array[],
): overlayV1.SecurityBlock {
  const identity: SignerIdentity = {
    type: 'cert_hash',
    hashAlgorithm: HASH_ALGORITHM_SHA256,
    hash: signer.certificateHash,
  };
  const value = sign('sha256', signatureInput(overlay, transactionId, contents, identity), {
    key: signer.key,
    dsaEncoding: 'der',
  });
  const all = [
    signer.certificateDer,
    ...certificates.filter((c) => !Buffer.from(c).equals(Buffer.from(signer.certificateDer))),
  ];
  return {
    certificates: all.map((der) => ({
      type: commonV1.CertificateType.CERTIFICATE_TYPE_X509,
      certificateDer: Buffer.from(der),
    })),
    signature: {
      hashAlgorithm: HASH_ALGORITHM_SHA256,
      signatureAlgorithm: signer.key.asymmetricKeyType === 'rsa' ? TLS_SIGNATURE_RSA : TLS_SIGNATURE_ECDSA,
      identity: {
        type: commonV1.SignerIdentityType.SIGNER_IDENTITY_TYPE_CERT_HASH,
        hashAlgorithm: HASH_ALGORITHM_SHA256,
        certificateHash: signer.certificateHash,
      },
      value,
    },
  };
}

/** Prepared signing credentials (the key parsed once, the certificate hash computed once). */
export function prepareSigner(signer: MessageSigner): {
  certificateDer: Uint8Array;
  key: KeyObject;
  certificateHash: Buffer;
} {
  return {
    certificateDer: signer.certificateDer,
    key: typeof signer.privateKey === 'string' ? createPrivateKey(signer.privateKey) : signer.privateKey,
    certificateHash: createHash('sha256').update(signer.certificateDer).digest(),
  };
}

/**
 * The destination's check: the message is signed, by a certificate the overlay trusts, that holds
 * the originator's Node-ID, over the exact bytes received. Messages without a received wire form
 * (a node talking to itself) pass.
 */
export function createMessageSecurity(init: {
  trust: CertificateTrust;
  now?: () => number;
}): MessageSecurity {
  const now = init.now ?? Date.now;
  return {
    verify(message: OverlayMessage, originator: NodeId): boolean {
      if (message.wire === undefined) return true;
      if (!isReceivedWire(message.wire)) return false;
      const { security, contents, overlay } = message.wire;
      const signature = security?.signature;
      const identity = signature?.identity;
      if (
        !signature ||
        !identity ||
        identity.type !== commonV1.SignerIdentityType.SIGNER_IDENTITY_TYPE_CERT_HASH
      )
        return false;
      if (
        signature.hashAlgorithm !== HASH_ALGORITHM_SHA256 ||
        identity.hashAlgorithm !== HASH_ALGORITHM_SHA256
      )
        return false;
      const certificate = security.certificates.find((c) =>
        createHash('sha256').update(c.certificateDer).digest().equals(identity.certificateHash),
      );
      if (!certificate) return false;
      const signer = init.trust.signerOf(certificate.certificateDer, now());
      if (!signer || !signer.nodeIds.includes(originator)) return false;
      const input = signatureInput(overlay, message.header.transactionId, contents, {
        type: 'cert_hash',
        hashAlgorithm: HASH_ALGORITHM_SHA256,
        hash: identity.certificateHash,
      });
      try {
        return verify('sha256', input, { key: signer.publicKey, dsaEncoding: 'der' }, signature.value);
      } catch {
        return false;
      }
    },
  };
}
