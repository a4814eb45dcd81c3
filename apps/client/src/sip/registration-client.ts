import type { StoredIdentity } from '@p2psip/enrollment-client';
import { type ResourceId, idToHex, nodeIdFromBytes, resourceIdOf, resourceIdOfName } from '@p2psip/identity';
import type { Destination } from '@p2psip/overlay';
import { decodeDestination } from '@p2psip/overlay-grpc';
import { callUnary } from '@p2psip/rpc';
import {
  type FetchedRegistration,
  type RegistrationSource,
  SIP_REGISTRATION_KIND_ID,
  type SipRegistration,
  encodeSipRegistration,
} from '@p2psip/sip-usage';
import type { Attachment } from '../storage/attachment';
import { StorageClient } from '../storage/storage-client';

/** The AOR is not the enrolled user's: the overlay would answer Forbidden (USER-NODE-MATCH). */
export class NotYourAorError extends Error {
  readonly code = 'AOR_NOT_OWNED';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * SIP-REGISTRATION (RFC 7904) through one attachment: stores this client's entry at H(AOR) keyed
 * by its Node-ID, removes it, and fetches an AOR's entries (verified by {@link StorageClient}).
 */
export class RegistrationClient implements RegistrationSource {
  private readonly storage: StorageClient;
  /** storage_time of our last store: a removal must be newer than the value it removes. */
  private lastStorageTimeMs = 0n;

  constructor(
    private readonly attachment: Attachment,
    private readonly identity: StoredIdentity,
    private readonly timeoutMs: number,
  ) {
    this.storage = new StorageClient(attachment, identity, timeoutMs);
  }

  get clientNodeId(): string {
    return idToHex(this.attachment.clientNodeId);
  }

  get peerNodeId(): string {
    return idToHex(this.attachment.peerNodeId);
  }

  /** Refuses, before any store, an AOR whose Resource-ID is not H(our certificate's user name). */
  static checkOwnership(aor: string, identity: StoredIdentity): ResourceId {
    const resourceId = resourceIdOfName(aor);
    const userName = identity.certificate.userName;
    if (userName === undefined || resourceIdOf(userName) !== resourceId) {
      throw new NotYourAorError(
        `${aor} is not your AOR: this identity is enrolled as ${userName ?? '(no user name)'}, and the overlay ` +
          'accepts SIP-REGISTRATION entries at H(AOR) only from the AOR’s own user (Forbidden)',
      );
    }
    return resourceId;
  }

  /** The list that reaches this client through its attachment peer: [peer, client]. */
  async destinationList(): Promise<Destination[]> {
    const { attachment } = await callUnary(
      this.attachment.client,
      'getAttachmentInfo',
      {},
      { timeoutMs: this.timeoutMs },
    );
    // The peer writes the certificate's first Node-ID for the client; a device speaking as
    // another of its Node-IDs (--device) is reached under that one.
    const named = attachment ? nodeIdFromBytes(attachment.clientNodeId) : undefined;
    const list = (attachment?.destinationList ?? [])
      .map(decodeDestination)
      .map((d): Destination =>
        d.kind === 'node' && d.id === named ? { kind: 'node', id: this.attachment.clientNodeId } : d,
      );
    return list.length > 0
      ? list
      : [
          { kind: 'node', id: this.attachment.peerNodeId },
          { kind: 'node', id: this.attachment.clientNodeId },
        ];
  }

  async register(aor: string, registration: SipRegistration, expiresS: number) {
    return this.put(aor, encodeSipRegistration(registration), true, expiresS);
  }

  /** Unregister (RFC 7904 §4.2): exists = false for our own key, living as long as the value did. */
  async unregister(aor: string, expiresS: number) {
    return this.put(aor, new Uint8Array(0), false, expiresS);
  }

  async fetch(resourceName: string): Promise<{ entries: FetchedRegistration[]; dropped: number }> {
    const result = await this.storage.fetch(resourceIdOf(resourceName), this.kind(), {});
    return {
      dropped: result.dropped,
      entries: result.values.map((v) => ({
        key: Buffer.from(v.key ?? '', 'hex'),
        exists: v.exists,
        value: Buffer.from(v.valueHex, 'hex'),
        storageTimeMs: v.storageTime,
        lifetimeS: v.lifetime,
        signer: v.signer,
      })),
    };
  }

  private async put(aor: string, value: Uint8Array, exists: boolean, lifetimeS: number) {
    const now = BigInt(Date.now());
    const storageTimeMs = now > this.lastStorageTimeMs ? now : this.lastStorageTimeMs + 1n;
    // Taken before the store: two stores in flight for one AOR must not share a storage_time
    // (the second would be refused as not newer).
    this.lastStorageTimeMs = storageTimeMs;
    const result = await this.storage.store(
      RegistrationClient.checkOwnership(aor, this.identity),
      this.kind(),
      {
        value,
        exists,
        slot: {},
        lifetimeS,
        generation: 0n,
        storageTimeMs,
      },
    );
    return result;
  }

  private kind() {
    return this.storage.kind(String(SIP_REGISTRATION_KIND_ID));
  }
}
