import { randomBytes } from 'node:crypto';
import { InvalidIdError } from './errors';
import { ID_BITS, ID_BYTES, RING_SIZE, type RingId } from './ring-id';

const MASK = RING_SIZE - 1n;

/** (a + b) mod 2^128. */
export function ringAdd(a: RingId, b: bigint): bigint {
  return (a + b) & MASK;
}

/** (a − b) mod 2^128. */
export function ringSub(a: RingId, b: bigint): bigint {
  return (a - b) & MASK;
}

/** How far `to` lies clockwise from `from`: (to − from) mod 2^128, in [0, 2^128). */
export function clockwiseDistance(from: RingId, to: RingId): bigint {
  return (to - from) & MASK;
}

/**
 * x ∈ (from, to] going clockwise. With from = to the interval is the whole ring: the
 * responsibility rule "(predecessor, self]" of a peer that is alone must cover every id.
 */
export function inOpenClosed(x: RingId, from: RingId, to: RingId): boolean {
  if (from === to) return true;
  const d = clockwiseDistance(from, x);
  return d !== 0n && d <= clockwiseDistance(from, to);
}

/** x ∈ (from, to) clockwise. With from = to: every id except `from` (the ring minus one point). */
export function inOpenOpen(x: RingId, from: RingId, to: RingId): boolean {
  const d = clockwiseDistance(from, x);
  if (from === to) return d !== 0n;
  return d !== 0n && d < clockwiseDistance(from, to);
}

/** x ∈ [from, to) clockwise. With from = to: the whole ring. */
export function inClosedOpen(x: RingId, from: RingId, to: RingId): boolean {
  if (from === to) return true;
  return clockwiseDistance(from, x) < clockwiseDistance(from, to);
}

/** x ∈ [from, to] clockwise. With from = to: only that point. */
export function inClosedClosed(x: RingId, from: RingId, to: RingId): boolean {
  return clockwiseDistance(from, x) <= clockwiseDistance(from, to);
}

/** An inclusive arc of the ring, [start, end] clockwise. */
export interface RingInterval {
  readonly start: bigint;
  readonly end: bigint;
}

function checkFingerIndex(index: number): void {
  if (!Number.isInteger(index) || index < 1 || index > ID_BITS) {
    throw new InvalidIdError(`finger index must be an integer in 1..${ID_BITS}, got ${index}`);
  }
}

/**
 * Start of finger `index` of node `self` in RELOAD's numbering (RFC 6940 §10.3): finger 1 is
 * half-way round, finger i targets self + 2^(128−i). The order is the reverse of classic Chord.
 */
export function fingerStart(self: RingId, index: number): bigint {
  checkFingerIndex(index);
  return ringAdd(self, 1n << BigInt(ID_BITS - index));
}

/** The arc finger `index` must fall in: [self + 2^(128−i), self + 2^(128−i+1) − 1]. */
export function fingerInterval(self: RingId, index: number): RingInterval {
  checkFingerIndex(index);
  const width = 1n << BigInt(ID_BITS - index);
  return { start: ringAdd(self, width), end: ringAdd(self, 2n * width - 1n) };
}

/** A uniformly random id inside an inclusive arc, as used to pick each finger at random. */
export function randomIdInInterval(
  interval: RingInterval,
  random: (size: number) => Uint8Array = randomBytes,
): bigint {
  const span = clockwiseDistance(interval.start, interval.end) + 1n;
  // Rejection sampling over 128+64 random bits keeps the modulo bias below 2^-64.
  const raw = BigInt(`0x${Buffer.from(random(ID_BYTES + 8)).toString('hex')}`);
  return ringAdd(interval.start, raw % span);
}

/** Compare two ids as unsigned integers (the Attach glare rule uses this order). */
export function compareIds(a: RingId, b: RingId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The fraction of the ring in (from, to], in parts per billion: RELOAD's Probe
 * `responsible_set` value (RFC 6940 §6.4.2.1).
 */
export function arcPartsPerBillion(from: RingId, to: RingId): number {
  const width = from === to ? RING_SIZE : clockwiseDistance(from, to);
  return Number((width * 1_000_000_000n) / RING_SIZE);
}
