import { StorageError } from './errors';

/** Appends big-endian fields (RELOAD's presentation language) to a growing list of chunks. */
export class ByteWriter {
  private readonly chunks: Buffer[] = [];

  uint8(value: number): this {
    return this.push(Buffer.of(value & 0xff));
  }

  uint16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value);
    return this.push(b);
  }

  uint32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    return this.push(b);
  }

  uint64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(value);
    return this.push(b);
  }

  bytes(value: Uint8Array): this {
    return this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }

  vector8(value: Uint8Array): this {
    if (value.length > 0xff)
      throw new StorageError('ENCODING', `${value.length} bytes do not fit a <0..2^8-1> vector`);
    return this.uint8(value.length).bytes(value);
  }

  vector16(value: Uint8Array): this {
    if (value.length > 0xffff) {
      throw new StorageError('ENCODING', `${value.length} bytes do not fit a <0..2^16-1> vector`);
    }
    return this.uint16(value.length).bytes(value);
  }

  vector32(value: Uint8Array): this {
    return this.uint32(value.length).bytes(value);
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private push(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }
}

/** Reads what ByteWriter wrote; every read is bounds-checked and fails with a StorageError. */
export class ByteReader {
  private offset = 0;
  private readonly buffer: Buffer;

  constructor(bytes: Uint8Array) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  atEnd(): boolean {
    return this.offset === this.buffer.length;
  }

  uint8(): number {
    return this.take(1)[0];
  }

  uint16(): number {
    return this.take(2).readUInt16BE(0);
  }

  uint32(): number {
    return this.take(4).readUInt32BE(0);
  }

  uint64(): bigint {
    return this.take(8).readBigUInt64BE(0);
  }

  bytes(length: number): Buffer {
    // A copy, so decoded values never pin the (possibly large, possibly reused) source buffer.
    return Buffer.from(this.take(length));
  }

  vector8(): Buffer {
    return this.bytes(this.uint8());
  }

  vector16(): Buffer {
    return this.bytes(this.uint16());
  }

  vector32(): Buffer {
    return this.bytes(this.uint32());
  }

  expectEnd(): void {
    if (!this.atEnd())
      throw new StorageError('ENCODING', `${this.buffer.length - this.offset} trailing byte(s)`);
  }

  private take(length: number): Buffer {
    const end = this.offset + length;
    if (end > this.buffer.length) throw new StorageError('ENCODING', 'truncated record');
    const slice = this.buffer.subarray(this.offset, end);
    this.offset = end;
    return slice;
  }
}
