import { RING_SIZE } from '@p2psip/identity';

const MAX_ID = RING_SIZE - 1n;

/** Inclusive Resource-ID interval [first, last] with first ≤ last. */
export interface IdInterval {
  readonly first: bigint;
  readonly last: bigint;
}

/**
 * The ring arc (from, to] as at most two plain intervals, in the order the contract lists them
 * (ascending from `from`): the part up to the top of the ring first, then the part past zero.
 * from = to is the whole ring, starting after `from`. Both backends keep records in Resource-ID
 * order, so each interval is one key-range scan.
 */
export function arcIntervals(from: bigint, to: bigint): IdInterval[] {
  for (const end of [from, to]) {
    if (end < 0n || end > MAX_ID) throw new RangeError(`ring position ${end} is not a 128-bit id`);
  }
  if (from < to) return [{ first: from + 1n, last: to }];
  const intervals: IdInterval[] = [];
  // from = MAX_ID: nothing lies above it before the wrap.
  if (from < MAX_ID) intervals.push({ first: from + 1n, last: MAX_ID });
  intervals.push({ first: 0n, last: to });
  return intervals;
}
