import { type NodeId, type ReloadCertificate, idToBytes, idToHex, resourceIdOf } from '@p2psip/identity';
import { Kind, type OverlayStorage, type StoredItem, signValue } from '@p2psip/storage';
import type { Logger } from '@p2psip/telemetry';

const UINT32_MAX = 0xffffffff;

export interface PublishedPeer {
  readonly nodeId: NodeId;
  readonly storage: OverlayStorage;
}

/**
 * Publishes this process's certificate in the overlay once its peers have joined (RFC 6940 §8):
 * at H(Node-ID) for each virtual peer (CERTIFICATE_BY_NODE) and at H(user name) once
 * (CERTIFICATE_BY_USER), so that anyone can fetch it to check signatures. Index 0 is replaced
 * on every start (a newer storage_time), so restarts never fill the arrays; the values live as
 * long as the certificate.
 */
export async function publishCertificates(
  peers: readonly PublishedPeer[],
  identity: { certificate: ReloadCertificate; keyPem: string },
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const { certificate } = identity;
  const lifetimeS = Math.min(
    UINT32_MAX,
    Math.max(0, Math.floor((certificate.notAfter.getTime() - Date.now()) / 1000)),
  );
  const item: StoredItem = { model: 'ARRAY', index: 0, exists: true, value: certificate.der };
  const storageTimeMs = BigInt(Date.now());
  const publish = async (storage: OverlayStorage, kind: number, name: Uint8Array | string): Promise<void> => {
    const resourceId = resourceIdOf(name);
    const value = signValue(
      { resourceId, kind, item, storageTimeMs, lifetimeS },
      { certificateDer: certificate.der, privateKey: identity.keyPem },
    );
    await storage.store(resourceId, [{ kind, generation: 0n, values: [value] }], { signal });
  };
  for (const [index, peer] of peers.entries()) {
    try {
      await publish(peer.storage, Kind.CertificateByNode, idToBytes(peer.nodeId));
      if (index === 0 && certificate.userName) {
        await publish(peer.storage, Kind.CertificateByUser, certificate.userName);
      }
    } catch (error) {
      // Best effort: the certificate also travels with every value this peer signs.
      logger.warn({ err: error, nodeId: idToHex(peer.nodeId) }, 'could not publish the certificate');
    }
  }
}
