import type { NodeId } from '@p2psip/identity';
import type { Link, LinkHandler, OverlayMessage } from '@p2psip/overlay';
import type { overlayV1 } from '@p2psip/proto';
import { type MessageCodec, encodeOrDrop } from './message-codec';
import { drainAndEnd } from './drain-and-end';
import { LinkInbox } from './link-inbox';

/** The stream side a link writes to and reads from (client and server duplex calls both fit). */
export interface FrameStream {
  write(frame: overlayV1.LinkFrame, callback?: (error?: Error | null) => void): boolean;
  end(): void;
  cancel?(): void;
  /** Frames queued but not yet sent (Node's Writable). */
  readonly writableLength: number;
  readonly writableEnded: boolean;
  on(event: 'data', listener: (frame: overlayV1.LinkFrame) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

export interface LinkCounters {
  /** Frames that could not be decoded (dropped at the edge). */
  readonly onMalformed?: (remote: NodeId) => void;
  /** Messages that could not be encoded for the wire (dropped; the link stays). */
  readonly onUnencodable?: (remote: NodeId) => void;
}

export interface GrpcLinkOptions {
  readonly counters?: LinkCounters;
  /**
   * The TLS handshake proved that the remote holds `remoteNodeId` (a client that pinned its
   * attachment peer's Node-ID):
   * what arrives straight from the remote needs no signature check (ADR 0003 §7).
   */
  readonly authenticatesRemote?: boolean;
}

/**
 * Frames a link may queue before it is considered stuck: a remote that stops reading must not make
 * us buffer without bound (each frame is at most max-message-size).
 */
export const MAX_QUEUED_FRAMES = 1024;

/**
 * One overlay link over a gRPC bidirectional stream of its own — a thin client's Connect stream to
 * its attachment peer (peers' links ride trunks instead; see Trunk). The Link contract of
 * @p2psip/overlay:
 * ordered delivery, messages buffered until a handler is set, exactly one close notification, and
 * `send` that never throws. No per-frame acks: HTTP/2 already delivers reliably and in order.
 */
export class GrpcLink implements Link {
  private readonly inbox = new LinkInbox(this);
  private sequence = 1n;
  private finished = false;

  private readonly counters: LinkCounters;

  constructor(
    readonly remoteNodeId: NodeId,
    readonly address: string,
    readonly outbound: boolean,
    private readonly stream: FrameStream,
    private readonly codec: MessageCodec,
    private readonly options: GrpcLinkOptions = {},
  ) {
    this.counters = options.counters ?? {};
    stream.on('data', (frame) => this.receive(frame));
    stream.on('end', () => this.finish());
    stream.on('close', () => this.finish());
    stream.on('error', () => this.finish());
  }

  get authenticatesRemote(): boolean {
    return this.options.authenticatesRemote === true;
  }

  send(message: OverlayMessage): void {
    if (this.finished) return;
    const encoded = encodeOrDrop(this.codec, message, () => this.counters.onUnencodable?.(this.remoteNodeId));
    if (!encoded) return;
    if (this.stream.writableLength > MAX_QUEUED_FRAMES) {
      this.close();
      return;
    }
    try {
      this.stream.write({ sequence: this.sequence++, link: 0, kind: { $case: 'message', message: encoded } });
    } catch {
      this.close();
    }
  }

  setHandler(handler: LinkHandler): void {
    this.inbox.setHandler(handler);
  }

  close(): void {
    if (this.finished) return;
    drainAndEnd(this.stream);
    this.finish();
  }

  private receive(frame: overlayV1.LinkFrame): void {
    if (this.finished || frame.kind?.$case !== 'message') return;
    const message = this.codec.decode(frame.kind.message);
    if (!message) {
      this.counters.onMalformed?.(this.remoteNodeId);
      return;
    }
    this.inbox.deliver(message);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    // A remote that half-closes must not keep our side (and a server call) open for ever.
    try {
      if (!this.stream.writableEnded) this.stream.end();
    } catch {
      // already torn down
    }
    this.inbox.close();
  }
}
