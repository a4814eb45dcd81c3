import { ID_BYTES, idToBytes, nodeIdFromBytes, resourceIdFromBytes } from '@p2psip/identity';
import type { Destination } from '@p2psip/overlay';
import { ByteReader, concat } from './byte-reader';
import { InvalidSipRegistrationError, MalformedSipRegistrationError } from './errors';

// RFC 6940 §6.3.2.2 DestinationType.
const NODE = 1;
const RESOURCE = 2;
const OPAQUE_ID_TYPE = 3;
/** A first byte with the high bit set starts a 16-bit compressed opaque id instead of a type. */
const COMPRESSED_FLAG = 0x80;

/**
 * One Destination in RELOAD's binary encoding (RFC 6940 §6.3.2.2):
 * node `01 10 <16-byte Node-ID>`, resource `02 11 10 <16-byte Resource-ID>`, opaque
 * `03 <n+1> <n> <id>`; a 2-byte opaque id whose first byte has the high bit set is written in the
 * compressed form (those two bytes alone), as RELOAD defines it.
 */
export function destinationToBytes(destination: Destination): Uint8Array {
  switch (destination.kind) {
    case 'node':
      return concat([Uint8Array.of(NODE, ID_BYTES), idToBytes(destination.id)]);
    case 'resource':
      return concat([Uint8Array.of(RESOURCE, ID_BYTES + 1, ID_BYTES), idToBytes(destination.id)]);
    case 'opaque': {
      const id = destination.id;
      if (id.length === 2 && ((id[0] ?? 0) & COMPRESSED_FLAG) !== 0) return Uint8Array.from(id);
      if (id.length === 0 || id.length > 0xfe) {
        throw new InvalidSipRegistrationError(`an opaque destination id has 1..254 bytes, got ${id.length}`);
      }
      return concat([Uint8Array.of(OPAQUE_ID_TYPE, id.length + 1, id.length), id]);
    }
  }
}

/** Reads one Destination; malformed or unknown entries fail with MalformedSipRegistrationError. */
export function readDestination(reader: ByteReader): Destination {
  const first = reader.uint8('destination type');
  if ((first & COMPRESSED_FLAG) !== 0) {
    return { kind: 'opaque', id: Uint8Array.of(first, reader.uint8('compressed destination id')) };
  }
  const data = new ByteReader(reader.take(reader.uint8('destination length'), 'destination data'));
  switch (first) {
    case NODE: {
      if (data.remaining !== ID_BYTES) {
        throw new MalformedSipRegistrationError(
          `a node destination holds a ${ID_BYTES}-byte Node-ID, got ${data.remaining} bytes`,
        );
      }
      return { kind: 'node', id: nodeIdFromBytes(data.take(ID_BYTES, 'Node-ID')) };
    }
    case RESOURCE: {
      const id = data.vector8('Resource-ID');
      data.expectEnd('resource destination');
      if (id.length !== ID_BYTES) {
        throw new MalformedSipRegistrationError(
          `a resource destination holds a ${ID_BYTES}-byte Resource-ID, got ${id.length} bytes`,
        );
      }
      return { kind: 'resource', id: resourceIdFromBytes(id) };
    }
    case OPAQUE_ID_TYPE: {
      const id = data.vector8('opaque destination id');
      data.expectEnd('opaque destination');
      if (id.length === 0) throw new MalformedSipRegistrationError('an empty opaque destination id');
      return { kind: 'opaque', id: Uint8Array.from(id) };
    }
    default:
      throw new MalformedSipRegistrationError(`unknown destination type ${first}`);
  }
}

/** Decodes exactly one Destination from the whole input. */
export function destinationFromBytes(bytes: Uint8Array): Destination {
  const reader = new ByteReader(bytes);
  const destination = readDestination(reader);
  reader.expectEnd('Destination');
  return destination;
}
