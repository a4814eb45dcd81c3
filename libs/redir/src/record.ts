import type { Destination } from '@p2psip/overlay';
import { destinationFromBytes, destinationToBytes } from '@p2psip/sip-usage';
import { InvalidRedirRecordError, MalformedRedirRecordError } from './errors';

/** The extension of a record: `type` 0 and no bytes mean none; other types are carried as they are. */
export interface RedirExtension {
  readonly type: number;
  readonly data: Uint8Array;
}

/**
 * RedirServiceProvider (RFC 7374 §5), the value of a REDIR (0x104) dictionary entry keyed by the
 * provider's Node-ID: how to reach the provider, and which tree node the entry belongs to.
 */
export interface RedirServiceProvider {
  /** How to reach the provider; usually one node destination, its own Node-ID. */
  readonly destinations: readonly Destination[];
  readonly namespace: string;
  readonly level: number;
  readonly node: number;
  /** @default { type: 0, data: empty } */
  readonly extension?: RedirExtension;
}

const UINT16_LIMIT = 1 << 16;
/** A destination whose first byte has the high bit set is RELOAD's 2-byte compressed form. */
const COMPRESSED_FLAG = 0x80;

/**
 * `type:uint8, destination_list<0..2^16-1>, namespace<0..2^16-1>, level:uint16, node:uint16,
 * length:uint16, extension[length]`. Destinations use RFC 6940 §6.3.2.2's encoding.
 */
export function encodeRedirRecord(record: RedirServiceProvider): Uint8Array {
  if (record.destinations.length === 0) {
    throw new InvalidRedirRecordError('a provider record needs at least one destination');
  }
  let list: Buffer;
  try {
    list = Buffer.concat(record.destinations.map(destinationToBytes));
  } catch (cause) {
    throw new InvalidRedirRecordError(`a destination cannot be encoded: ${(cause as Error).message}`, {
      cause,
    });
  }
  const namespace = Buffer.from(record.namespace, 'utf8');
  if (namespace.length === 0 || namespace.toString('utf8') !== record.namespace) {
    throw new InvalidRedirRecordError('the namespace is non-empty UTF-8');
  }
  const extension = record.extension ?? { type: 0, data: new Uint8Array(0) };
  if (!Number.isInteger(extension.type) || extension.type < 0 || extension.type > 0xff) {
    throw new InvalidRedirRecordError(`the extension type is a uint8, got ${extension.type}`);
  }
  for (const [what, value] of [
    ['level', record.level],
    ['node', record.node],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value >= UINT16_LIMIT) {
      throw new InvalidRedirRecordError(`${what} is a uint16, got ${value}`);
    }
  }
  for (const [what, bytes] of [
    ['destination list', list],
    ['namespace', namespace],
    ['extension', extension.data],
  ] as const) {
    if (bytes.length >= UINT16_LIMIT) throw new InvalidRedirRecordError(`the ${what} exceeds 65535 bytes`);
  }
  return Buffer.concat([
    Buffer.of(extension.type),
    uint16(list.length),
    list,
    uint16(namespace.length),
    namespace,
    uint16(record.level),
    uint16(record.node),
    uint16(extension.data.length),
    extension.data,
  ]);
}

/** Decodes exactly one record from untrusted bytes; anything else is MalformedRedirRecordError. */
export function decodeRedirRecord(bytes: Uint8Array): RedirServiceProvider {
  const reader = new Reader(bytes);
  const type = reader.uint8('extension type');
  const destinations = splitDestinations(reader.vector16('destination list'));
  const namespaceBytes = reader.vector16('namespace');
  const namespace = utf8(namespaceBytes);
  if (namespace.length === 0) throw new MalformedRedirRecordError('an empty namespace');
  const level = reader.uint16('level');
  const node = reader.uint16('node');
  const data = Uint8Array.from(reader.take(reader.uint16('extension length'), 'extension'));
  if (reader.remaining !== 0) {
    throw new MalformedRedirRecordError(`${reader.remaining} unexpected bytes after the record`);
  }
  return { destinations, namespace, level, node, extension: { type, data } };
}

function splitDestinations(list: Uint8Array): Destination[] {
  const destinations: Destination[] = [];
  const reader = new Reader(list);
  while (reader.remaining > 0) {
    const first = reader.uint8('destination type');
    const rest = (first & COMPRESSED_FLAG) !== 0 ? 1 : 1 + reader.peekUint8('destination length');
    const encoded = Buffer.concat([Buffer.of(first), reader.take(rest, 'destination')]);
    try {
      destinations.push(destinationFromBytes(encoded));
    } catch (cause) {
      throw new MalformedRedirRecordError(`a bad destination: ${(cause as Error).message}`, { cause });
    }
  }
  if (destinations.length === 0) throw new MalformedRedirRecordError('an empty destination list');
  return destinations;
}

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new MalformedRedirRecordError('the namespace is not UTF-8', { cause });
  }
}

function uint16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

/** Bounds-checked big-endian reads: a short or overlong field is MalformedRedirRecordError, never a RangeError. */
class Reader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  uint8(what: string): number {
    return this.take(1, what)[0] ?? 0;
  }

  peekUint8(what: string): number {
    if (this.remaining < 1) throw this.short(1, what);
    return this.bytes[this.offset] ?? 0;
  }

  uint16(what: string): number {
    const b = this.take(2, what);
    return ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  }

  vector16(what: string): Uint8Array {
    return this.take(this.uint16(`${what} length`), what);
  }

  take(length: number, what: string): Uint8Array {
    if (length > this.remaining) throw this.short(length, what);
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  private short(length: number, what: string): MalformedRedirRecordError {
    return new MalformedRedirRecordError(
      `${what}: needs ${length} bytes at offset ${this.offset}, only ${this.remaining} left`,
    );
  }
}
