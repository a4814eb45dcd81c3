import { type overlayV1, peerV1 } from '@p2psip/proto';
import type { FrameStream } from './grpc-link';
import { FrameCoalescer } from './frame-coalescer';
import { clientBatchFormat, unpackBatch } from './frame-batches';

/** Either side of a ClientAccessService.Connect call (grpc-js client and server duplex streams). */
export interface ClientFrameCall {
  write(frame: peerV1.ClientFrame, callback?: (error?: Error | null) => void): boolean;
  end(): void;
  cancel?(): void;
  readonly writableLength: number;
  readonly writableEnded: boolean;
  on(event: 'data', listener: (frame: peerV1.ClientFrame) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * A Connect call after its hello/attachment exchange, seen as link frames: a thin client's stream
 * to its attachment peer then carries overlay messages exactly as a peer link does (relay-peer
 * routing, DESIGN.md §5), so both ends reuse GrpcLink. Hello or attachment frames arriving later
 * are out of protocol and ignored. Message frames queued while a write is on the way out leave as
 * one batch once the other side's first frame said it reads them (ADR 0003 §11).
 */
export class ClientFrameStream implements FrameStream {
  private readonly out: FrameCoalescer<peerV1.ClientFrame>;

  constructor(
    private readonly call: ClientFrameCall,
    /** The other side's first frame set accepts_batches. */
    remoteAcceptsBatches: boolean,
  ) {
    this.out = new FrameCoalescer(call, clientBatchFormat);
    if (remoteAcceptsBatches) this.out.enableBatches();
  }

  get writableLength(): number {
    return this.out.queued;
  }

  get writableEnded(): boolean {
    return this.out.writableEnded;
  }

  write(frame: overlayV1.LinkFrame): boolean {
    if (frame.kind?.$case !== 'message') return true;
    this.out.write({ kind: { $case: 'message', message: frame.kind.message }, acceptsBatches: false });
    return true;
  }

  end(): void {
    this.out.end();
  }

  cancel(): void {
    this.out.cancel();
  }

  on(event: 'data', listener: (frame: overlayV1.LinkFrame) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'data' | 'end' | 'close' | 'error', listener: (value: never) => void): this {
    if (event === 'data') {
      const onFrame = listener as unknown as (frame: overlayV1.LinkFrame) => void;
      this.call.on('data', (frame: peerV1.ClientFrame) => {
        for (const message of messagesOf(frame)) {
          onFrame({ sequence: 0n, link: 0, kind: { $case: 'message', message } });
        }
      });
    } else if (event === 'error') {
      this.call.on('error', listener as unknown as (error: Error) => void);
    } else {
      this.call.on(event, listener as unknown as () => void);
    }
    return this;
  }
}

/** The overlay messages a Connect frame carries: its own, or those of the frames it batches. */
function messagesOf(frame: peerV1.ClientFrame): overlayV1.Message[] {
  if (frame.kind?.$case === 'message') return [frame.kind.message];
  if (frame.kind?.$case !== 'batch') return [];
  // A batched frame that does not decode is dropped like an undecodable message.
  const frames = unpackBatch(frame.kind.batch.frames, (bytes) => peerV1.ClientFrame.decode(bytes));
  return frames.flatMap((inner) => (inner.kind?.$case === 'message' ? [inner.kind.message] : []));
}
