import { type ResourceId, idToBytes, nodeIdFromBytes, parseCertificate } from '@p2psip/identity';
import { CertificateIndex, specifierToProto, storedValueFromProto } from '@p2psip/overlay-grpc';
import type { peerV1 } from '@p2psip/proto';
import type { RedirEntry, RedirFetchPort } from '@p2psip/redir';
import { callUnary } from '@p2psip/rpc';
import {
  type AccessPolicySettings,
  type CertificateTrust,
  type KindDefinition,
  type StoredValue,
  createCertificateTrust,
  isAuthorized,
  isSyntheticAbsent,
  verifyValue,
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
    return redirEntriesOf(resourceId, response, { kind, trust: this.trust, policy, nowMs: Date.now() });
  }
}

/**
 * The live entries of a FetchAns for one tree node that the client may trust; anything else
 * (removals, synthetic "nothing here", bad signatures, misplaced records) is left out, one value at
 * a time. The relay app checks its fetches the same way.
 */
export function redirEntriesOf(
  resourceId: ResourceId,
  response: Pick<peerV1.FetchResponse, 'kindResponses' | 'certificates'>,
  deps: {
    readonly kind: KindDefinition;
    readonly trust: CertificateTrust;
    readonly policy: AccessPolicySettings;
    readonly nowMs: number;
  },
): RedirEntry[] {
  const { kind, trust, policy } = deps;
  const certificates = new CertificateIndex(response.certificates.map((c) => c.certificateDer));
  const entries: RedirEntry[] = [];
  for (const proto of response.kindResponses.find((r) => r.kind === kind.id)?.values ?? []) {
    let value: StoredValue;
    try {
      value = storedValueFromProto(proto, certificates);
    } catch {
      continue;
    }
    const { item } = value;
    if (isSyntheticAbsent(value) || item.model !== 'DICTIONARY' || !item.exists) continue;
    const signer = verifyValue(resourceId, kind.id, value, trust, deps.nowMs);
    if (!signer || !isAuthorized(kind, resourceId, item, signer, policy)) continue;
    entries.push({ key: nodeIdFromBytes(item.key), value: item.value });
  }
  return entries;
}
