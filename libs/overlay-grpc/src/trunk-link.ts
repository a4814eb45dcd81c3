import type { NodeId, ReloadCertificate } from '@p2psip/identity';
import type { Link, LinkHandler, OverlayMessage } from '@p2psip/overlay';
import { LinkInbox } from './link-inbox';

/** What a link needs from the trunk that carries it. */
export interface LinkCarrier {
  sendOn(link: TrunkLink, message: OverlayMessage): void;
  closeLink(link: TrunkLink, reason: string): void;
}

/**
 * One overlay link carried by a trunk (the Link contract of @p2psip/overlay): ordered delivery,
 * messages buffered until a handler is set, exactly one close notification, `send` that never
 * throws. Its remote was checked against the trunk's TLS certificate when it opened.
 */
export class TrunkLink implements Link {
  readonly authenticatesRemote = true;
  /** Frames sent on this link (the frame's sequence field). */
  sequence = 1n;
  private readonly inbox = new LinkInbox(this);

  constructor(
    readonly id: number,
    readonly remoteNodeId: NodeId,
    readonly address: string,
    readonly outbound: boolean,
    /** The certificate the remote authenticated with (to close the link if it is revoked later). */
    readonly remoteCertificate: ReloadCertificate,
    private readonly carrier: LinkCarrier,
  ) {}

  send(message: OverlayMessage): void {
    if (!this.inbox.isClosed) this.carrier.sendOn(this, message);
  }

  setHandler(handler: LinkHandler): void {
    this.inbox.setHandler(handler);
  }

  close(): void {
    if (this.inbox.isClosed) return;
    this.carrier.closeLink(this, 'closed by the peer');
    this.inbox.close();
  }

  /** A message for this link arrived on the trunk. */
  received(message: OverlayMessage): void {
    this.inbox.deliver(message);
  }

  /** The link is gone (closed by the remote, or its trunk ended). */
  ended(): void {
    this.inbox.close();
  }
}
