import {
  clockwiseDistance,
  fingerInterval,
  ID_BITS,
  inClosedClosed,
  type NodeId,
  type RingInterval,
} from '@p2psip/identity';

/**
 * The finger table of CHORD-RELOAD (RFC 6940 §10.3): slot i (1-based) holds a peer inside
 * [self + 2^(128−i), self + 2^(129−i) − 1]; finger 1 is half-way round. A slot may stay empty when
 * no peer lives in its interval (small rings leave most high-numbered slots empty).
 */
export class FingerTable {
  private readonly slots: (NodeId | undefined)[];

  constructor(
    private readonly self: NodeId,
    readonly size: number,
  ) {
    this.slots = new Array<NodeId | undefined>(size).fill(undefined);
  }

  get(index: number): NodeId | undefined {
    return this.slots[index - 1];
  }

  set(index: number, id: NodeId | undefined): void {
    this.slots[index - 1] = id;
  }

  interval(index: number): RingInterval {
    return fingerInterval(this.self, index);
  }

  /**
   * The slot whose interval holds `id`, or 0 if none (id = self, or a slot beyond `size`). The
   * intervals partition the ring by the bit length of the clockwise distance, so this is O(1).
   */
  slotFor(id: NodeId): number {
    const d = clockwiseDistance(this.self, id);
    if (d === 0n) return 0;
    const index = ID_BITS + 1 - bitLength(d);
    return index <= this.size ? index : 0;
  }

  /** Is slot `index` filled with a peer inside its interval? */
  isValid(index: number): boolean {
    const id = this.get(index);
    if (id === undefined) return false;
    const { start, end } = this.interval(index);
    return inClosedClosed(id, start, end);
  }

  /** Empties every slot holding `id`; true if any did. */
  remove(id: NodeId): boolean {
    let removed = false;
    for (let i = 0; i < this.slots.length; i++) {
      if (this.slots[i] === id) {
        this.slots[i] = undefined;
        removed = true;
      }
    }
    return removed;
  }

  has(id: NodeId): boolean {
    return this.slots.includes(id);
  }

  /** Distinct fingers, ascending by Node-ID (the order ChordUpdate `full` uses). */
  values(): NodeId[] {
    const set = new Set<NodeId>();
    for (const s of this.slots) if (s !== undefined) set.add(s);
    return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Raw slots, for the router's allocation-free scan. */
  entries(): readonly (NodeId | undefined)[] {
    return this.slots;
  }

  clear(): void {
    this.slots.fill(undefined);
  }
}

/** Number of significant bits of a positive bigint below 2^128. */
export function bitLength(x: bigint): number {
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}
