import type { NodeId, RingId } from '@p2psip/identity';

/**
 * The ground truth of the ring: the Node-IDs of the live, joined nodes in ascending order. Lookups
 * are judged against it (the responsible node is the first id at or after the key, wrapping), and
 * so are the nodes' successor, predecessor and finger tables.
 */
export class RingTruth {
  private readonly ids: NodeId[] = [];

  get size(): number {
    return this.ids.length;
  }

  at(i: number): NodeId {
    return this.ids[i];
  }

  add(id: NodeId): void {
    const i = this.lowerBound(id);
    if (this.ids[i] !== id) this.ids.splice(i, 0, id);
  }

  remove(id: NodeId): void {
    const i = this.lowerBound(id);
    if (this.ids[i] === id) this.ids.splice(i, 1);
  }

  has(id: NodeId): boolean {
    return this.ids[this.lowerBound(id)] === id;
  }

  /** The node responsible for `key`: the first id ≥ key, else the smallest (wrap-around). */
  responsibleFor(key: RingId): NodeId | undefined {
    if (this.ids.length === 0) return undefined;
    const i = this.lowerBound(key);
    return this.ids[i === this.ids.length ? 0 : i];
  }

  /** The `k` live ids after `id` going clockwise (fewer in a smaller ring), `id` itself excluded. */
  successorsOf(id: NodeId, k: number): NodeId[] {
    const n = this.ids.length;
    let i = this.lowerBound(id);
    if (this.ids[i] === id) i++;
    const out: NodeId[] = [];
    for (let j = 0; j < Math.min(k, n - (this.has(id) ? 1 : 0)); j++) out.push(this.ids[(i + j) % n]);
    return out;
  }

  /** The `k` live ids before `id` going anticlockwise, `id` itself excluded. */
  predecessorsOf(id: NodeId, k: number): NodeId[] {
    const n = this.ids.length;
    const i = this.lowerBound(id);
    const out: NodeId[] = [];
    for (let j = 1; j <= Math.min(k, n - (this.has(id) ? 1 : 0)); j++)
      out.push(this.ids[(((i - j) % n) + n) % n]);
    return out;
  }

  /** Whether some live id lies in the clockwise interval [start, end] (start ≤ end as numbers, or wrapping). */
  anyIn(start: RingId, end: RingId): boolean {
    const n = this.ids.length;
    if (n === 0) return false;
    const first = this.responsibleFor(start) as NodeId;
    return start <= end ? first >= start && first <= end : first >= start || first <= end;
  }

  private lowerBound(x: bigint): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
