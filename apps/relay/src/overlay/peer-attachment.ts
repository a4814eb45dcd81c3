import { type Attachment, attach } from '@p2psip/client-sdk';
import type { StoredIdentity } from '@p2psip/enrollment-client';
import type { OverlayConfiguration } from '@p2psip/overlay-config';

export interface PeerAttachmentInit {
  /** Attach to this peer only. */
  readonly peer?: string;
  /** A bootstrap service naming peers near our Node-ID. @default the configuration's */
  readonly bootstrap?: string;
  /** Deadline of each attach call, ms. */
  readonly timeoutMs: number;
}

/**
 * The relay service's way into the overlay, shared by its TURN-SERVICE and ReDiR advertising: a
 * thin-client attachment made on first use and made again after a call through it failed (the
 * peer may be gone; the bootstrap service then names another).
 */
export class PeerAttachment {
  private current: Promise<Attachment> | undefined;

  constructor(
    private readonly components: {
      readonly identity: StoredIdentity;
      readonly overlay: OverlayConfiguration;
      readonly signal: AbortSignal;
    },
    private readonly init: PeerAttachmentInit,
  ) {}

  get(): Promise<Attachment> {
    if (this.current) return this.current;
    const { identity, overlay, signal } = this.components;
    const nodeId = identity.certificate.nodeIds[0];
    if (nodeId === undefined) return Promise.reject(new Error('the relay identity holds no Node-ID'));
    const attaching = attach({
      identity,
      nodeId,
      ...(this.init.peer ? { peer: this.init.peer } : {}),
      bootstraps: this.init.bootstrap
        ? [this.init.bootstrap]
        : overlay.bootstrapNodes.map((node) => `${node.address}:${node.port}`),
      timeoutMs: this.init.timeoutMs,
      signal,
    });
    this.current = attaching;
    attaching.catch(() => {
      if (this.current === attaching) this.current = undefined;
    });
    return attaching;
  }

  /** A call through the attachment failed: close it, attach afresh next time. */
  reset(): void {
    const previous = this.current;
    this.current = undefined;
    void previous?.then((attachment) => attachment.close()).catch(() => undefined);
  }

  close(): void {
    this.reset();
  }
}
