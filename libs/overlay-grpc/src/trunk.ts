import { type NodeId, idToHex, nodeIdFromBytes } from '@p2psip/identity';
import { ConnectFailedError, type OverlayMessage } from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import type { PeerIdentity } from '@p2psip/rpc';
import type { FrameStream, LinkCounters } from './grpc-link';
import { type LinkAgreement, checkHello, makeHello } from './link-hello';
import type { LinkEndpoint } from './link-endpoint';
import { type MessageCodec, encodeOrDrop } from './message-codec';
import { type LinkCarrier, TrunkLink } from './trunk-link';
import { drainAndEnd } from './drain-and-end';
import { FrameCoalescer } from './frame-coalescer';
import { linkBatchFormat, unpackBatch } from './frame-batches';

/**
 * Frames a trunk may queue before its remote counts as stuck: a process that stops reading must
 * not make us buffer without bound (each frame is at most max-message-size).
 */
export const MAX_TRUNK_QUEUED_FRAMES = 4096;

/** What a trunk needs from the process that owns it. */
export interface TrunkHost {
  readonly agreement: LinkAgreement;
  readonly codec: MessageCodec;
  readonly counters?: LinkCounters;
  readonly isRevoked?: (certificate: PeerIdentity['certificate']) => boolean;
  /** The hosted peer a link opened by the remote is for (undefined = the trunk's default). */
  endpointFor(expected: NodeId | undefined, trunk: Trunk): LinkEndpoint | undefined;
  /** Runs once when the trunk has ended (its links are closed by then). */
  trunkEnded(trunk: Trunk, reason: string): void;
}

interface PendingOpen {
  readonly expected: NodeId | undefined;
  readonly resolve: (link: TrunkLink) => void;
  readonly reject: (error: Error) => void;
  readonly cleanup: () => void;
}

/**
 * One gRPC Link stream between two peer processes, carrying every link between their peers
 * (ADR 0003 §8). Either end opens links on it — the dialler with odd numbers, the other end with
 * even ones — each with a hello checked against the remote's TLS certificate, as a stream per link
 * was before. One stream per process pair instead of one per link: the stream and HTTP/2 state
 * that each link used to cost is paid once.
 */
export class Trunk implements LinkCarrier {
  private readonly links = new Map<number, TrunkLink>();
  private readonly opening = new Map<number, PendingOpen>();
  private nextId: number;
  private readonly out: FrameCoalescer<overlayV1.LinkFrame>;
  private ended = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private remote: PeerIdentity | undefined;
  private markIdentified!: () => void;
  /** Settles once the remote's certificate is known, or the trunk has ended. */
  readonly identified = new Promise<void>((resolve) => (this.markIdentified = resolve));
  private markDone!: () => void;
  /** Settles once the trunk has ended (its stream too, and every link on it). */
  readonly done = new Promise<void>((resolve) => (this.markDone = resolve));

  constructor(
    stream: FrameStream,
    /** True at the end that dialled (it numbers its links odd). */
    readonly dialled: boolean,
    /** The dialled address, or the remote's transport address at the accepting end. */
    readonly address: string,
    private readonly host: TrunkHost,
    /** The remote's certificate, read when first needed (a dialler learns it from the response). */
    private readonly identify: () => PeerIdentity | undefined,
    /** A trunk without links closes after this long. */
    private readonly idleMs: number,
  ) {
    this.nextId = dialled ? 1 : 2;
    this.out = new FrameCoalescer(stream, linkBatchFormat);
    stream.on('data', (frame) => this.receive(frame));
    stream.on('end', () => this.end('the remote ended the trunk'));
    stream.on('close', () => this.end('the trunk closed'));
    stream.on('error', (error) => this.end(`the trunk failed: ${error.message}`));
    this.armIdleTimer();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The remote process's certificate, once known. */
  get remoteIdentity(): PeerIdentity | undefined {
    return this.remote;
  }

  /**
   * Reads the remote's certificate (from the TLS session: at once when accepting, once the
   * response headers arrive when dialling). False, and the trunk closes, when there is none or
   * it is revoked.
   */
  learnIdentity(): boolean {
    if (this.remote) return true;
    if (this.ended) return false;
    this.remote = this.identify();
    if (!this.remote) {
      this.close('the remote presented no certificate');
      return false;
    }
    if (this.revokedRemote()) return false;
    this.markIdentified();
    return true;
  }

  /** True when the remote's certificate carries this Node-ID (a link to it may use this trunk). */
  reaches(nodeId: NodeId): boolean {
    return !this.ended && this.remote !== undefined && this.remote.nodeIds.includes(nodeId);
  }

  /** Opens a link from `local` to the remote's `expected` peer (undefined = the dialled one). */
  open(
    local: NodeId,
    expected: NodeId | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<TrunkLink> {
    if (this.ended) return Promise.reject(new ConnectFailedError(`the trunk to ${this.address} has ended`));
    const id = this.nextId;
    this.nextId += 2;
    if (signal?.aborted) return Promise.reject(new ConnectFailedError('aborted before linking'));
    return new Promise<TrunkLink>((resolve, reject) => {
      const fail = (reason: string): void => {
        if (!this.opening.has(id)) return;
        this.opening.delete(id);
        cleanup();
        this.write({ sequence: 0n, link: id, kind: { $case: 'close', close: { reason } } });
        reject(new ConnectFailedError(`link to ${this.address}: ${reason}`));
        this.armIdleTimer();
      };
      const onAbort = (): void => fail('aborted');
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.opening.set(id, { expected, resolve, reject, cleanup });
      this.disarmIdleTimer();
      this.write({
        sequence: 0n,
        link: id,
        kind: { $case: 'hello', hello: makeHello(this.host.agreement, local, expected) },
      });
    });
  }

  sendOn(link: TrunkLink, message: OverlayMessage): void {
    if (this.ended) return;
    const encoded = encodeOrDrop(
      this.host.codec,
      message,
      () => this.host.counters?.onUnencodable?.(link.remoteNodeId),
      link.remoteNodeId,
    );
    if (!encoded) return;
    this.write({ sequence: link.sequence++, link: link.id, kind: { $case: 'message', message: encoded } });
  }

  closeLink(link: TrunkLink, reason: string): void {
    if (this.links.get(link.id) !== link) return;
    this.links.delete(link.id);
    this.write({ sequence: 0n, link: link.id, kind: { $case: 'close', close: { reason } } });
    this.armIdleTimer();
  }

  /** Ends the trunk and every link on it. */
  close(reason: string): void {
    if (this.ended) return;
    // Through the coalescer, so that frames it still queues go out before the end.
    drainAndEnd(this.out);
    this.end(reason);
  }

  private write(frame: overlayV1.LinkFrame): void {
    if (this.ended) return;
    if (this.out.queued > MAX_TRUNK_QUEUED_FRAMES) {
      this.close('the remote stopped reading');
      return;
    }
    try {
      this.out.write(frame);
    } catch {
      this.close('the trunk cannot be written');
    }
  }

  private receive(frame: overlayV1.LinkFrame): void {
    if (this.ended || !this.learnIdentity()) return;
    switch (frame.kind?.$case) {
      case 'message':
        return this.onMessage(frame.link, frame.kind.message);
      case 'hello':
        return this.onHello(frame.link, frame.kind.hello);
      case 'close':
        return this.onClose(frame.link, frame.kind.close.reason);
      case 'batch':
        return this.receiveBatch(frame.kind.batch.frames);
      default:
        return; // acks and unknown kinds carry nothing a trunk needs
    }
  }

  private receiveBatch(frames: readonly Uint8Array[]): void {
    const malformed = (): void => this.host.counters?.onMalformed?.((this.remote as PeerIdentity).nodeIds[0]);
    for (const frame of unpackBatch(frames, (bytes) => overlayV1.LinkFrame.decode(bytes), malformed)) {
      if (this.ended) return;
      this.receive(frame);
    }
  }

  private onMessage(id: number, wire: overlayV1.Message): void {
    const link = this.links.get(id);
    if (!link) return; // closed meanwhile, or never opened: nobody to give it to
    const message = this.host.codec.decode(wire);
    if (!message) {
      this.host.counters?.onMalformed?.(link.remoteNodeId);
      return;
    }
    link.received(message);
  }

  private onHello(id: number, hello: overlayV1.LinkHello): void {
    if (hello.acceptsBatches) this.out.enableBatches();
    const pending = this.opening.get(id);
    if (pending) return this.onAccepted(id, pending, hello);
    if (this.links.has(id)) return; // a repeated hello changes nothing
    // The remote opens with the parity that is not ours.
    if ((id % 2 === 1) !== !this.dialled || id === 0)
      return this.refuse(id, 'link number of the wrong parity');
    this.onOpened(id, hello);
  }

  /** The remote answered one of our opens. */
  private onAccepted(id: number, pending: PendingOpen, hello: overlayV1.LinkHello): void {
    this.opening.delete(id);
    pending.cleanup();
    const remote = this.remote as PeerIdentity;
    if (this.revokedRemote())
      return pending.reject(new ConnectFailedError('the remote certificate is revoked'));
    const checked = checkHello(hello, remote.nodeIds, this.host.agreement);
    if ('refused' in checked) return this.refuseAnswer(id, pending, checked.refused);
    if (pending.expected !== undefined && checked.nodeId !== pending.expected) {
      const speaksFor = `the remote speaks for ${idToHex(checked.nodeId)}, not ${idToHex(pending.expected)}`;
      return this.refuseAnswer(id, pending, speaksFor);
    }
    const link = new TrunkLink(id, checked.nodeId, this.address, true, remote.certificate, this);
    this.links.set(id, link);
    pending.resolve(link);
  }

  /** The remote opens a link to one of our peers. */
  private onOpened(id: number, hello: overlayV1.LinkHello): void {
    const remote = this.remote as PeerIdentity;
    if (this.revokedRemote()) return;
    const checked = checkHello(hello, remote.nodeIds, this.host.agreement);
    if ('refused' in checked) return this.refuse(id, checked.refused);
    let expected: NodeId | undefined;
    try {
      expected = hello.expectedNodeId.length > 0 ? nodeIdFromBytes(hello.expectedNodeId) : undefined;
    } catch {
      return this.refuse(id, 'expected_node_id must be 16 bytes');
    }
    const endpoint = this.host.endpointFor(expected, this);
    if (!endpoint) return this.refuse(id, 'no peer with that Node-ID here');
    const link = new TrunkLink(id, checked.nodeId, this.address, false, remote.certificate, this);
    this.links.set(id, link);
    this.disarmIdleTimer();
    this.write({
      sequence: 0n,
      link: id,
      kind: { $case: 'hello', hello: makeHello(this.host.agreement, endpoint.nodeId, undefined) },
    });
    endpoint.accept(link);
  }

  private onClose(id: number, reason: string): void {
    const pending = this.opening.get(id);
    if (pending) {
      this.opening.delete(id);
      pending.cleanup();
      pending.reject(new ConnectFailedError(`${this.address} refused: ${reason || 'no reason given'}`));
    }
    const link = this.links.get(id);
    if (link) {
      this.links.delete(id);
      link.ended();
    }
    this.armIdleTimer();
  }

  /** Our open was answered by a remote we cannot accept: the link is closed again. */
  private refuseAnswer(id: number, pending: PendingOpen, reason: string): void {
    this.refuse(id, reason);
    pending.reject(new ConnectFailedError(`${this.address}: ${reason}`));
    this.armIdleTimer();
  }

  /** A certificate revoked since the trunk opened ends it (and every link on it) at the next open. */
  private revokedRemote(): boolean {
    if (!this.remote || !this.host.isRevoked?.(this.remote.certificate)) return false;
    this.close('the remote certificate is revoked');
    return true;
  }

  private refuse(id: number, reason: string): void {
    this.write({ sequence: 0n, link: id, kind: { $case: 'close', close: { reason } } });
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.markIdentified();
    this.disarmIdleTimer();
    try {
      this.out.end();
    } catch {
      // already torn down
    }
    for (const [, pending] of this.opening) {
      pending.cleanup();
      pending.reject(new ConnectFailedError(`link to ${this.address}: ${reason}`));
    }
    this.opening.clear();
    const links = [...this.links.values()];
    this.links.clear();
    for (const link of links) link.ended();
    this.host.trunkEnded(this, reason);
    this.markDone();
  }

  /**
   * A trunk without links or opens is closed after a while (the next link dials a new one). Only
   * by its dialler: were the other end to close it too, a hello the dialler sent meanwhile would be
   * lost.
   */
  private armIdleTimer(): void {
    if (!this.dialled) return;
    if (this.ended || this.idleTimer || this.links.size > 0 || this.opening.size > 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.links.size === 0 && this.opening.size === 0) this.close('idle');
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private disarmIdleTimer(): void {
    if (!this.idleTimer) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
