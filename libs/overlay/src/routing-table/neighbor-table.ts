import { clockwiseDistance, type NodeId } from '@p2psip/identity';

/**
 * Successor and predecessor lists of CHORD-RELOAD (RFC 6940 §10.3), nearest first. Both lists are
 * recomputed from a candidate set rather than patched, which keeps them sorted and free of
 * duplicates; in rings smaller than the lists a node may be successor and predecessor at once.
 */
export class NeighborTable {
  successors: readonly NodeId[] = [];
  predecessors: readonly NodeId[] = [];

  constructor(
    private readonly self: NodeId,
    private readonly maxSuccessors: number,
    private readonly maxPredecessors: number,
  ) {}

  has(id: NodeId): boolean {
    return this.successors.includes(id) || this.predecessors.includes(id);
  }

  /** Every neighbour once. */
  all(): NodeId[] {
    const out = [...this.successors];
    for (const p of this.predecessors) if (!out.includes(p)) out.push(p);
    return out;
  }

  /** Would `id` enter either list if it were offered? */
  wants(id: NodeId): boolean {
    if (id === this.self || this.has(id)) return false;
    const s = this.successors;
    if (s.length < this.maxSuccessors) return true;
    if (clockwiseDistance(this.self, id) < clockwiseDistance(this.self, s[s.length - 1])) return true;
    const p = this.predecessors;
    if (p.length < this.maxPredecessors) return true;
    return clockwiseDistance(id, this.self) < clockwiseDistance(p[p.length - 1], this.self);
  }

  /** Rebuilds both lists from the current ones plus `extra`; true if either list changed. */
  rebuild(extra: Iterable<NodeId> = []): boolean {
    const pool = new Set<NodeId>(this.successors);
    for (const p of this.predecessors) pool.add(p);
    for (const e of extra) pool.add(e);
    pool.delete(this.self);
    const ids = [...pool];
    const self = this.self;
    const succ = ids
      .sort((a, b) => cmp(clockwiseDistance(self, a), clockwiseDistance(self, b)))
      .slice(0, this.maxSuccessors);
    const pred = ids
      .sort((a, b) => cmp(clockwiseDistance(a, self), clockwiseDistance(b, self)))
      .slice(0, this.maxPredecessors);
    const changed = !sameList(succ, this.successors) || !sameList(pred, this.predecessors);
    this.successors = succ;
    this.predecessors = pred;
    return changed;
  }

  /** Drops `id` from both lists (without refilling); true if it was there. */
  remove(id: NodeId): boolean {
    if (!this.has(id)) return false;
    this.successors = this.successors.filter((x) => x !== id);
    this.predecessors = this.predecessors.filter((x) => x !== id);
    return true;
  }

  clear(): void {
    this.successors = [];
    this.predecessors = [];
  }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameList(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
