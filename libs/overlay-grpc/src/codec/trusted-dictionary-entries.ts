import type { ResourceId } from '@p2psip/identity';
import type { peerV1 } from '@p2psip/proto';
import {
  type AccessPolicySettings,
  type CertificateTrust,
  type KindDefinition,
  type StoredValue,
  isAuthorized,
  isSyntheticAbsent,
  verifyValue,
} from '@p2psip/storage';
import { CertificateIndex, storedValueFromProto } from './storage-values';

/** One dictionary entry a fetcher may act on. */
export interface TrustedDictionaryEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/**
 * The live dictionary entries of one kind in a FetchAns that a fetcher may trust: a valid
 * signature by a certificate the overlay CA vouches for, and a signer the kind's access policy
 * allows at this Resource-ID. Removals, synthetic "nothing here" values and anything that fails
 * are left out, one value at a time (a bad value never hides the good ones).
 */
export function trustedDictionaryEntries(
  resourceId: ResourceId,
  response: Pick<peerV1.FetchResponse, 'kindResponses' | 'certificates'>,
  deps: {
    readonly kind: KindDefinition;
    readonly trust: CertificateTrust;
    readonly policy: AccessPolicySettings;
    readonly nowMs: number;
  },
): TrustedDictionaryEntry[] {
  const { kind, trust, policy } = deps;
  const certificates = new CertificateIndex(response.certificates.map((c) => c.certificateDer));
  const entries: TrustedDictionaryEntry[] = [];
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
    entries.push({ key: item.key, value: item.value });
  }
  return entries;
}
