import type { Link, LinkHandler, OverlayMessage } from '@p2psip/overlay';

/**
 * The receiving half of the Link contract, shared by every link class: messages wait for a
 * handler (those that came first are delivered when it is set, before a close), nothing is
 * delivered after the close, and the close is told exactly once, as soon as there is a handler.
 */
export class LinkInbox {
  private handler: LinkHandler | undefined;
  private early: OverlayMessage[] = [];
  private closed = false;
  private closeTold = false;

  constructor(private readonly link: Link) {}

  get isClosed(): boolean {
    return this.closed;
  }

  setHandler(handler: LinkHandler): void {
    this.handler = handler;
    const early = this.early;
    this.early = [];
    for (const message of early) handler.onLinkMessage(this.link, message);
    if (this.closed) this.tellClose();
  }

  deliver(message: OverlayMessage): void {
    if (this.closed) return;
    if (this.handler) this.handler.onLinkMessage(this.link, message);
    else this.early.push(message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.tellClose();
  }

  private tellClose(): void {
    if (this.closeTold || !this.handler) return;
    this.closeTold = true;
    this.handler.onLinkClose(this.link);
  }
}
