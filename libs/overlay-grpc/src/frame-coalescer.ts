/** The writing half of a grpc-js duplex call (Node's Writable). */
export interface CallbackWritable<F> {
  write(frame: F, callback: (error?: Error | null) => void): boolean;
  end(): void;
  cancel?(): void;
  readonly writableEnded: boolean;
  /** Frames handed to the stream but not yet sent. */
  readonly writableLength: number;
}

/** How a stream's frames travel in one batch frame. */
export interface BatchFormat<F> {
  /** One frame as it goes into a batch. */
  encode(frame: F): Uint8Array;
  /** The frame that carries these encoded frames. */
  wrap(encoded: Uint8Array[]): F;
}

/**
 * Bytes of encoded frames one batch carries at most (a frame larger than this goes alone).
 * Receivers accept at least 64 KiB per gRPC message (4 × max-message-size, 64 KiB at least), and
 * the batch adds a few bytes per frame.
 */
export const MAX_BATCH_BYTES = 48 * 1024;

/** Per-frame overhead of a batch's repeated bytes field: tag and a length of up to 3 bytes. */
const FIELD_OVERHEAD_BYTES = 4;

/**
 * Sends a stream's frames one write at a time, and everything queued meanwhile as one batch frame
 * (ADR 0003 §11). Why: grpc-js completes a write only once HTTP/2 has flushed it to the socket,
 * one event-loop turn later, and Node's Writable holds further writes until then. Under load a
 * busy stream thus moved one frame per turn while the rest waited in its buffer: no CPU, but
 * hundreds of milliseconds per hop. Until the remote says it reads batches, frames go to the
 * stream one by one, as they always did.
 */
export class FrameCoalescer<F> {
  private queue: F[] = [];
  private writing = false;
  private batching = false;
  private failed = false;
  private ending = false;

  constructor(
    private readonly stream: CallbackWritable<F>,
    private readonly format: BatchFormat<F>,
    private readonly maxBatchBytes = MAX_BATCH_BYTES,
  ) {}

  /** The remote reads batch frames: from now on, frames queued during a write leave together. */
  enableBatches(): void {
    this.batching = true;
  }

  /** Frames not yet sent: waiting here, or in the stream's own buffer. */
  get queued(): number {
    return this.queue.length + this.stream.writableLength;
  }

  /** True once `end` was called (the stream ends when what is queued has been handed to it). */
  get writableEnded(): boolean {
    return this.ending || this.stream.writableEnded;
  }

  /** Queues a frame. Throws what the stream's write throws (a stream already ended). */
  write(frame: F): void {
    if (this.failed || this.ending) return;
    if (!this.batching) {
      this.stream.write(frame, noop);
      return;
    }
    this.queue.push(frame);
    if (!this.writing) this.writeNext();
  }

  /**
   * Ends the stream once every queued frame has been handed to it: ending it under a write in
   * flight would make the next batch a write after end, which destroys the stream and loses it.
   */
  end(): void {
    if (this.ending) return;
    this.ending = true;
    if (!this.writing) this.endStream();
  }

  /** Drops the stream at once, queued frames and all. */
  cancel(): void {
    this.stream.cancel?.();
  }

  private writeNext(): void {
    if (this.stream.writableEnded) {
      // Ended behind our back: nothing queued can go out any more.
      this.failed = true;
      this.queue = [];
    }
    if (this.queue.length === 0) {
      this.writing = false;
      if (this.ending) this.endStream();
      return;
    }
    this.writing = true;
    // A lone frame goes as it is: wrapped, one just under the receiver's limit would exceed it.
    const next = this.queue.length === 1 ? (this.queue.pop() as F) : this.takeBatch();
    this.stream.write(next, this.written);
  }

  private readonly written = (error?: Error | null): void => {
    if (error) {
      // The stream is failing; its error or close event ends the owner, which drops the rest.
      this.failed = true;
      this.queue = [];
      return;
    }
    this.writeNext();
  };

  private endStream(): void {
    if (!this.stream.writableEnded) this.stream.end();
  }

  /** The frames at the head of the queue that fit in one batch, or the head frame alone. */
  private takeBatch(): F {
    const encoded: Uint8Array[] = [];
    let bytes = 0;
    let taken = 0;
    while (taken < this.queue.length) {
      const frame = this.format.encode(this.queue[taken]);
      const size = frame.byteLength + FIELD_OVERHEAD_BYTES;
      if (taken > 0 && bytes + size > this.maxBatchBytes) break;
      encoded.push(frame);
      bytes += size;
      taken += 1;
    }
    // A frame too large to share a batch goes alone, as it is.
    if (taken === 1) return this.queue.shift() as F;
    this.queue.splice(0, taken);
    return this.format.wrap(encoded);
  }
}

function noop(): void {
  // a failed write shows as the stream's error event
}
