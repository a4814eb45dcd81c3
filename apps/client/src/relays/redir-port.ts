import { type ResourceId, idToBytes, nodeIdFromBytes, parseCertificate } from '@p2psip/identity';
import { specifierToProto, trustedDictionaryEntries } from '@p2psip/overlay-grpc';
import type { RedirEntry, RedirFetchPort } from '@p2psip/redir';
import { callUnary } from '@p2psip/rpc';
import {
  type AccessPolicySettings,
  type CertificateTrust,
  type KindDefinition,
  createCertificateTrust,
} from '@p2psip/storage';
import type { StoredIdentity } from '@p2psip/enrollment-client';
import type { Attachment } from '../storage/attachment';

/**
 * ReDiR's Fetch through the client's attachment peer: a wildcard dictionary Fetch of the REDIR kind
 * at a tree node, keeping what the client verifies itself (RFC 6940 §7.4.2.2) — the signature, a
 * certificate from the overlay CA, and NODE-ID-MATCH with the overlay's branching factor.
 */
export class AttachmentRedirFetch implements RedirFetchPort {
  private readonly trust: CertificateTrust;

  constructor(
    private readonly components: { readonly attachment: Attachment; readonly identity: StoredIdentity },
    private readonly init: {
      /** The overlay's REDIR kind (0x104). */
      readonly kind: KindDefinition;
      readonly policy: AccessPolicySettings;
      /** Deadline of each Fetch, ms. */
      readonly timeoutMs: number;
    },
  ) {
    const { identity, attachment } = components;
    // The overlay is the one our own certificate is for, not whatever the peer says it is.
    this.trust = createCertificateTrust({
      caCertificateDer: parseCertificate(identity.caPem).der,
      overlay: identity.certificate.nodes[0]?.overlay ?? attachment.overlay,
    });
  }

  async fetchTreeNode(
    resourceId: ResourceId,
    options: { signal?: AbortSignal } = {},
  ): Promise<readonly RedirEntry[]> {
    const { kind, policy, timeoutMs } = this.init;
    const response = await callUnary(
      this.components.attachment.client,
      'fetch',
      {
        resourceId: idToBytes(resourceId),
        specifiers: [
          specifierToProto({ kind: kind.id, generation: 0n, selector: { model: 'DICTIONARY', keys: [] } }),
        ],
      },
      { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
    );
    return trustedDictionaryEntries(resourceId, response, {
      kind,
      trust: this.trust,
      policy,
      nowMs: Date.now(),
    }).map((entry) => ({ key: nodeIdFromBytes(entry.key), value: entry.value }));
  }
}
