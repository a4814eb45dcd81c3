import type { NodeId, ReloadCertificate } from '@p2psip/identity';
import type { Link, LinkHandler, OverlayMessage } from '@p2psip/overlay';
import { LinkInbox } from './link-inbox';
import { type MessageCodec, encodeOrDrop } from './message-codec';

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
  private readonly inbox = new LinkInbox(this);
  /** Messages from the other end not yet delivered (one setImmediate delivers a batch). */
  private arriving: OverlayMessage[] = [];

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
    if (this.inbox.isClosed) return;
    const encoded = encodeOrDrop(this.codec, message, undefined, this.remoteNodeId);
    const received = encoded && this.codec.decode(encoded);
    if (received) this.other.arrive(received);
  }

  setHandler(handler: LinkHandler): void {
    this.inbox.setHandler(handler);
  }

  close(): void {
    if (this.inbox.isClosed) return;
    this.arriving = [];
    this.inbox.close();
    setImmediate(() => this.other.remoteClosed());
  }

  private remoteClosed(): void {
    this.arriving = [];
    this.inbox.close();
  }

  private arrive(message: OverlayMessage): void {
    if (this.inbox.isClosed) return;
    this.arriving.push(message);
    if (this.arriving.length > 1) return; // a delivery is already scheduled
    setImmediate(() => {
      const messages = this.arriving;
      this.arriving = [];
      for (const received of messages) this.inbox.deliver(received);
    });
  }
}
