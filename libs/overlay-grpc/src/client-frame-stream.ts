import type { overlayV1, peerV1 } from '@p2psip/proto';
import type { FrameStream } from './grpc-link';

/** Either side of a ClientAccessService.Connect call (grpc-js client and server duplex streams). */
export interface ClientFrameCall {
  write(frame: peerV1.ClientFrame): boolean;
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
 * are out of protocol and ignored.
 */
export class ClientFrameStream implements FrameStream {
  constructor(private readonly call: ClientFrameCall) {}

  get writableLength(): number {
    return this.call.writableLength;
  }

  get writableEnded(): boolean {
    return this.call.writableEnded;
  }

  write(frame: overlayV1.LinkFrame): boolean {
    if (frame.kind?.$case !== 'message') return true;
    return this.call.write({ kind: { $case: 'message', message: frame.kind.message } });
  }

  end(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel?.();
  }

  on(event: 'data', listener: (frame: overlayV1.LinkFrame) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'data' | 'end' | 'close' | 'error', listener: (value: never) => void): this {
    if (event === 'data') {
      const onFrame = listener as unknown as (frame: overlayV1.LinkFrame) => void;
      this.call.on('data', (frame: peerV1.ClientFrame) => {
        if (frame.kind?.$case === 'message') {
          onFrame({ sequence: 0n, link: 0, kind: { $case: 'message', message: frame.kind.message } });
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
