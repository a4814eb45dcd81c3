/**
 * A growable FIFO of bytes for stream framing. Appending copies each chunk once into spare
 * capacity (doubling when full) and consuming moves an offset, so a message that arrives one
 * byte at a time costs linear work, not the quadratic Buffer.concat on every chunk.
 */
export class ByteQueue {
  private bytes = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.bytes.length) this.makeRoom(chunk.length);
    this.bytes.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The queued bytes, without copying; valid until the next append or consume. */
  view(): Buffer {
    return this.bytes.subarray(this.start, this.end);
  }

  consume(count: number): void {
    this.start = Math.min(this.start + count, this.end);
    if (this.start === this.end) this.start = this.end = 0;
  }

  private makeRoom(extra: number): void {
    const needed = this.length + extra;
    const capacity =
      needed <= this.bytes.length ? this.bytes.length : Math.max(needed, 2 * this.bytes.length);
    const next = capacity === this.bytes.length ? this.bytes : Buffer.alloc(capacity);
    this.bytes.copy(next, 0, this.start, this.end);
    this.end = this.length;
    this.start = 0;
    this.bytes = next;
  }
}
