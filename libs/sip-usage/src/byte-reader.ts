import { MalformedSipRegistrationError } from './errors';

/**
 * Reads RELOAD's big-endian fields from untrusted bytes (a value anyone may have stored). Every
 * read is bounds-checked and fails with MalformedSipRegistrationError, never a RangeError.
 */
export class ByteReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  uint8(what: string): number {
    return this.take(1, what)[0] ?? 0;
  }

  uint16(what: string): number {
    const b = this.take(2, what);
    return ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  }

  take(length: number, what: string): Uint8Array {
    if (length > this.remaining) {
      throw new MalformedSipRegistrationError(
        `${what}: needs ${length} bytes at offset ${this.offset}, only ${this.remaining} left`,
      );
    }
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  /** `opaque x<0..2^8-1>` */
  vector8(what: string): Uint8Array {
    return this.take(this.uint8(`${what} length`), what);
  }

  /** `opaque x<0..2^16-1>` */
  vector16(what: string): Uint8Array {
    return this.take(this.uint16(`${what} length`), what);
  }

  expectEnd(what: string): void {
    if (this.remaining !== 0) {
      throw new MalformedSipRegistrationError(`${what}: ${this.remaining} unexpected trailing bytes`);
    }
  }
}

/** Concatenates fields; lengths are checked by the callers, which know each field's bound. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function uint16Bytes(value: number): Uint8Array {
  return Uint8Array.of((value >> 8) & 0xff, value & 0xff);
}
