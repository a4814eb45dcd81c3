import type { NodeId, ReloadCertificate } from '@p2psip/identity';
import type { Link, LinkHandler, OverlayMessage } from '@p2psip/overlay';
import type { MessageCodec } from './message-codec';

/**
 * A link between two virtual peers of one process (ADR 0003 §8): no socket, no TLS — both ends
 * hold the same certificate. Messages still go through the codec (encoded, signed, decoded), so
 * what arrives is exactly what a trunk would deliver: the wire form an originator's signature
 * covers travels on, and a destination checks it as it would any other. Delivery is asynchronous
 * and in order, like a network link's.
 */
export class LocalLink implements Link {
  readonly authenticatesRemote = true;
  private other!: LocalLink;
  private handler: LinkHandler | undefined;
  private inbox: OverlayMessage[] = [];
  private flushing = false;
  private closed = false;
  private closeNotified = false;

  private constructor(
    readonly remoteNodeId: NodeId,
    readonly address: string,
    readonly outbound: boolean,
    /** The process's own certificate (both ends hold it). */
    readonly remoteCertificate: ReloadCertificate,
    private readonly codec: MessageCodec,
  ) {}

  /** Both ends of a new link: `[opener's end, the other peer's end]`. */
  static pair(
    opener: { nodeId: NodeId; address: string },
    accepter: { nodeId: NodeId; address: string },
    certificate: ReloadCertificate,
    codec: MessageCodec,
  ): [LocalLink, LocalLink] {
    const mine = new LocalLink(accepter.nodeId, accepter.address, true, certificate, codec);
    const theirs = new LocalLink(opener.nodeId, opener.address, false, certificate, codec);
    mine.other = theirs;
    theirs.other = mine;
    return [mine, theirs];
  }

  send(message: OverlayMessage): void {
    if (this.closed) return;
    let received: OverlayMessage | undefined;
    try {
      received = this.codec.decode(this.codec.encode(message));
    } catch {
      received = undefined;
    }
    // Unencodable (e.g. an unknown body being forwarded): dropped, as a trunk would.
    if (received) this.other.enqueue(received);
  }

  setHandler(handler: LinkHandler): void {
    this.handler = handler;
    if (this.closed) this.notifyClosed();
    else this.scheduleFlush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox = [];
    setImmediate(() => {
      this.notifyClosed();
      this.other.remoteClosed();
    });
  }

  private remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox = [];
    this.notifyClosed();
  }

  /** Exactly once, as soon as there is a handler to tell. */
  private notifyClosed(): void {
    if (this.closeNotified || !this.handler) return;
    this.closeNotified = true;
    this.handler.onLinkClose(this);
  }

  private enqueue(message: OverlayMessage): void {
    if (this.closed) return;
    this.inbox.push(message);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushing || !this.handler || this.inbox.length === 0) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      const messages = this.inbox;
      this.inbox = [];
      for (const message of messages) {
        if (this.closed || !this.handler) break;
        this.handler.onLinkMessage(this, message);
      }
    });
  }
}
