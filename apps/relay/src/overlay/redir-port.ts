import type { StoredIdentity } from '@p2psip/enrollment-client';
import { type ResourceId, idToBytes, nodeIdFromBytes } from '@p2psip/identity';
import { kindDataToProto, specifierToProto, trustedDictionaryEntries } from '@p2psip/overlay-grpc';
import type { RedirEntry, RedirPort, RedirStoreRequest } from '@p2psip/redir';
import { callUnary } from '@p2psip/rpc';
import {
  type AccessPolicySettings,
  type CertificateTrust,
  type KindDefinition,
  signValue,
} from '@p2psip/storage';
import type { PeerAttachment } from './peer-attachment';

export interface AttachmentRedirPortComponents {
  readonly attachment: PeerAttachment;
  readonly identity: StoredIdentity;
  readonly trust: CertificateTrust;
  /** The overlay's REDIR kind (0x104). */
  readonly kind: KindDefinition;
  /** The configuration's `redir:branching-factor`, for NODE-ID-MATCH on fetched records. */
  readonly policy: AccessPolicySettings;
}

/**
 * ReDiR's Fetch and Store over the relay's attachment peer: records are signed with the relay's
 * key; fetched ones count only with a valid signature by a trusted certificate and a signer the
 * NODE-ID-MATCH policy allows there (RFC 6940 §7.4.2.2: the fetcher checks, too).
 */
export class AttachmentRedirPort implements RedirPort {
  private lastStorageTimeMs = 0n;

  constructor(
    private readonly components: AttachmentRedirPortComponents,
    private readonly init: { readonly timeoutMs: number },
  ) {}

  async fetchTreeNode(
    resourceId: ResourceId,
    options: { signal?: AbortSignal } = {},
  ): Promise<readonly RedirEntry[]> {
    const { attachment, kind, trust, policy } = this.components;
    const client = (await attachment.get()).client;
    const response = await this.call(() =>
      callUnary(
        client,
        'fetch',
        {
          resourceId: idToBytes(resourceId),
          specifiers: [
            specifierToProto({ kind: kind.id, generation: 0n, selector: { model: 'DICTIONARY', keys: [] } }),
          ],
        },
        { timeoutMs: this.init.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
      ),
    );
    return trustedDictionaryEntries(resourceId, response, { kind, trust, policy, nowMs: Date.now() }).map(
      (entry) => ({ key: nodeIdFromBytes(entry.key), value: entry.value }),
    );
  }

  async storeRecord(
    resourceId: ResourceId,
    request: RedirStoreRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const { attachment, identity, kind } = this.components;
    const client = (await attachment.get()).client;
    // storage_time must grow with every replacement, even two in the same millisecond.
    const now = BigInt(Date.now());
    this.lastStorageTimeMs = now > this.lastStorageTimeMs ? now : this.lastStorageTimeMs + 1n;
    const value = signValue(
      {
        resourceId,
        kind: kind.id,
        item: {
          model: 'DICTIONARY',
          key: idToBytes(request.key),
          exists: request.value !== undefined,
          value: request.value ?? new Uint8Array(0),
        },
        storageTimeMs: this.lastStorageTimeMs,
        lifetimeS: request.lifetimeS,
      },
      { certificateDer: identity.certificate.der, privateKey: identity.keyPem },
    );
    await this.call(() =>
      callUnary(
        client,
        'store',
        {
          resourceId: idToBytes(resourceId),
          kindData: [kindDataToProto({ kind: kind.id, generation: 0n, values: [value] })],
          certificates: [],
        },
        { timeoutMs: this.init.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
      ),
    );
  }

  /** A failed call may mean the peer is gone: attach afresh next time. */
  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.components.attachment.reset();
      throw error;
    }
  }
}
