import type { SeededRandom } from '@p2psip/overlay/testing';

export type DelayModelName = 'constant' | 'uniform' | 'coordinate';

export interface DelayInit {
  readonly model: DelayModelName;
  /** Constant: the one-way delay; uniform and coordinate: the smallest delay, ms. @default 10 */
  readonly minMs?: number;
  /** Uniform: the largest one-way delay; coordinate: the delay across the plane's diagonal, ms. @default 100 */
  readonly maxMs?: number;
}

/**
 * One-way delay between two nodes, by their simulation index. Delays are fixed per pair, never
 * per message: a link delivers in order (the Link contract), as a TCP stream does.
 */
export interface PairDelay {
  readonly model: DelayModelName;
  /** Mean one-way delay over random pairs, ms (for latency lower bounds). */
  readonly meanMs: number;
  /** Called once per node as it is created: coordinates are drawn here. */
  place(index: number, random: SeededRandom): void;
  delayMs(a: number, b: number): number;
}

export function pairDelay(init: DelayInit): PairDelay {
  const min = init.minMs ?? 10;
  const max = init.maxMs ?? 100;
  if (!(min >= 0) || !(max >= min)) throw new RangeError('need 0 ≤ min delay ≤ max delay');
  switch (init.model) {
    case 'constant':
      return { model: 'constant', meanMs: min, place: () => undefined, delayMs: () => min };
    case 'uniform':
      // A hash of the unordered pair stands for a random draw per pair, without a table of N² delays.
      return {
        model: 'uniform',
        meanMs: (min + max) / 2,
        place: () => undefined,
        delayMs: (a, b) => min + (max - min) * pairHash(a, b),
      };
    case 'coordinate': {
      // Nodes uniformly in a unit square; delay = min + distance × (max − min)/√2. The mean
      // distance between two random points of a unit square is ≈ 0.5214.
      const coords: number[] = [];
      const perUnit = (max - min) / Math.SQRT2;
      return {
        model: 'coordinate',
        meanMs: min + 0.5214 * perUnit,
        place(index, random) {
          coords[2 * index] = random.next();
          coords[2 * index + 1] = random.next();
        },
        delayMs(a, b) {
          const dx = coords[2 * a] - coords[2 * b];
          const dy = coords[2 * a + 1] - coords[2 * b + 1];
          return min + Math.sqrt(dx * dx + dy * dy) * perUnit;
        },
      };
    }
    default:
      throw new RangeError(`unknown delay model ${String(init.model)}`);
  }
}

/** A uniform value in [0, 1) for the unordered pair {a, b} (a 32-bit integer mix). */
export function pairHash(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(hi + 0x7f4a7c15, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}
