import { randomBytes } from 'node:crypto';
import { InvalidIdError } from './errors';

/** Ids on the Chord-reload ring are 128 bits (node-id-length 16, RFC 6940 §10.3). */
export const ID_BITS = 128;
export const ID_BYTES = ID_BITS / 8;
/** The number of points on the ring, 2^128. */
export const RING_SIZE = 1n << BigInt(ID_BITS);
const MAX_ID = RING_SIZE - 1n;
const HEX_ID = /^[0-9a-f]{32}$/i;

/**
 * A Node-ID: the position of a node on the ring, assigned by the enrollment server.
 * Branded so that a Resource-ID cannot be passed where a Node-ID is meant, while both stay plain
 * bigints for the ring arithmetic (cheap to compare, hash-map friendly for the simulator).
 */
export type NodeId = bigint & { readonly __ringId: 'NodeId' };
/** A Resource-ID: the ring position of a resource name (top 128 bits of its SHA-1). */
export type ResourceId = bigint & { readonly __ringId: 'ResourceId' };
/** Any point of the ring. */
export type RingId = NodeId | ResourceId | bigint;

/** All-zeros is reserved: no node may hold it (RFC 6940 §3.1). */
export const RESERVED_NODE_ID = 0n as NodeId;
/** All-ones addresses "any node": consumed locally, never forwarded (RFC 6940 §6.1). */
export const WILDCARD_NODE_ID = MAX_ID as NodeId;

function checkRange(value: bigint, what: string): void {
  if (value < 0n || value > MAX_ID) {
    throw new InvalidIdError(`${what} must be a 128-bit unsigned value`);
  }
}

export function nodeIdFromBigInt(value: bigint): NodeId {
  checkRange(value, 'Node-ID');
  return value as NodeId;
}

export function resourceIdFromBigInt(value: bigint): ResourceId {
  checkRange(value, 'Resource-ID');
  return value as ResourceId;
}

function parseHex(hex: string, what: string): bigint {
  if (!HEX_ID.test(hex)) {
    throw new InvalidIdError(
      `${what} must be 32 hexadecimal digits, got ${JSON.stringify(hex.slice(0, 40))}`,
    );
  }
  return BigInt(`0x${hex}`);
}

export function nodeIdFromHex(hex: string): NodeId {
  return parseHex(hex, 'Node-ID') as NodeId;
}

export function resourceIdFromHex(hex: string): ResourceId {
  return parseHex(hex, 'Resource-ID') as ResourceId;
}

/** The canonical text form: 32 lower-case hex digits, zero-padded. */
export function idToHex(id: RingId): string {
  return id.toString(16).padStart(ID_BYTES * 2, '0');
}

function parseBytes(bytes: Uint8Array, what: string): bigint {
  if (bytes.length !== ID_BYTES) {
    throw new InvalidIdError(`${what} must be ${ID_BYTES} bytes, got ${bytes.length}`);
  }
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

export function nodeIdFromBytes(bytes: Uint8Array): NodeId {
  return parseBytes(bytes, 'Node-ID') as NodeId;
}

export function resourceIdFromBytes(bytes: Uint8Array): ResourceId {
  return parseBytes(bytes, 'Resource-ID') as ResourceId;
}

/** Big-endian 16 bytes, as the id travels in protobuf `bytes` fields and in hash inputs. */
export function idToBytes(id: RingId): Buffer {
  return Buffer.from(idToHex(id), 'hex');
}

export function isReservedNodeId(id: RingId): boolean {
  return id === RESERVED_NODE_ID;
}

export function isWildcardNodeId(id: RingId): boolean {
  return id === WILDCARD_NODE_ID;
}

/** A fresh random Node-ID that is neither reserved nor the wildcard. */
export function randomNodeId(random: (size: number) => Uint8Array = randomBytes): NodeId {
  for (;;) {
    const id = nodeIdFromBytes(random(ID_BYTES));
    if (!isReservedNodeId(id) && !isWildcardNodeId(id)) return id;
  }
}
