import type { NodeId, ReloadCertificate } from '@p2psip/identity';
import type { Link, LinkHandler, OverlayMessage } from '@p2psip/overlay';

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
  private handler: LinkHandler | undefined;
  private early: OverlayMessage[] = [];
  private closed = false;

  constructor(
    readonly id: number,
    readonly remoteNodeId: NodeId,
    readonly address: string,
    readonly outbound: boolean,
    /** The certificate the remote authenticated with (to close the link if it is revoked later). */
    readonly remoteCertificate: ReloadCertificate,
    private readonly carrier: LinkCarrier,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  send(message: OverlayMessage): void {
    if (!this.closed) this.carrier.sendOn(this, message);
  }

  setHandler(handler: LinkHandler): void {
    this.handler = handler;
    const early = this.early;
    this.early = [];
    for (const message of early) handler.onLinkMessage(this, message);
    if (this.closed) handler.onLinkClose(this);
  }

  close(): void {
    if (this.closed) return;
    this.carrier.closeLink(this, 'closed by the peer');
    this.ended();
  }

  /** A message for this link arrived on the trunk. */
  received(message: OverlayMessage): void {
    if (this.closed) return;
    if (this.handler) this.handler.onLinkMessage(this, message);
    else this.early.push(message);
  }

  /** The link is gone (closed by the remote, or its trunk ended). */
  ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.early = [];
    this.handler?.onLinkClose(this);
  }
}
