import { clockwiseDistance, inOpenClosed, type NodeId, type RingId } from '@p2psip/identity';
import type { ResponsibleRange } from '../events';
import { FingerTable } from './finger-table';
import { NeighborTable } from './neighbor-table';

/**
 * Routing table = neighbour table ∪ finger table (RFC 6940 §10.3), plus the two questions routing
 * asks of it: who is responsible for an id, and where to send next (§10.4 / digest §1.7).
 */
export class RoutingTable {
  readonly neighbors: NeighborTable;
  readonly fingers: FingerTable;
  /** Until then (node clock) the neighbour lists may have gaps; see `refilledNeighbors`. */
  private gapsPossibleUntil = -Infinity;

  constructor(
    readonly self: NodeId,
    settings: { successors: number; predecessors: number; fingers: number },
    /** The node's clock (virtual in the simulator). */
    private readonly now: () => number = () => 0,
  ) {
    this.neighbors = new NeighborTable(self, settings.successors, settings.predecessors);
    this.fingers = new FingerTable(self, settings.fingers);
  }

  /** (predecessor, self]; the whole ring when the node knows no predecessor. */
  responsibleRange(): ResponsibleRange {
    const pred = this.neighbors.predecessors[0];
    return { from: pred ?? this.self, to: this.self };
  }

  isResponsible(id: RingId): boolean {
    const { from, to } = this.responsibleRange();
    return inOpenClosed(id, from, to);
  }

  has(id: NodeId): boolean {
    return this.neighbors.has(id) || this.fingers.has(id);
  }

  /**
   * Next hop towards `target` (which this node is not responsible for): the neighbour responsible
   * for it, when the target lies in the arc the neighbour table covers; else the routing-table
   * peer with the largest id in (self, target), i.e. the one that closes most of the distance;
   * else the first successor. Undefined only when the table is empty. "Directly connected to the
   * target" is the caller's check, since it needs the connection table.
   *
   * Departure from RFC 6940 §10.3, which always takes the largest id before the target (ADR 0003
   * §13): that peer is the owner's predecessor when both are our neighbours, and would only pass
   * the message on to its successor. Going to the owner at once saves that hop on most routes.
   */
  nextHop(target: RingId): NodeId | undefined {
    const self = this.self;
    const succ = this.neighbors.successors[0];
    if (succ === undefined) return undefined;
    const owner = this.now() < this.gapsPossibleUntil ? undefined : this.neighborResponsibleFor(target);
    if (owner !== undefined) return owner;
    const limit = clockwiseDistance(self, target);
    let best: NodeId | undefined;
    let bestDistance = 0n;
    const consider = (id: NodeId | undefined): void => {
      if (id === undefined) return;
      const d = clockwiseDistance(self, id);
      if (d > bestDistance && d < limit) {
        best = id;
        bestDistance = d;
      }
    };
    for (const id of this.neighbors.successors) consider(id);
    for (const id of this.neighbors.predecessors) consider(id);
    for (const id of this.fingers.entries()) consider(id);
    return best ?? succ;
  }

  /**
   * The lists were refilled from the fingers after a neighbour was lost: peers between their
   * entries may be unknown until Updates repair them. Until `until`, routing does not take the
   * lists for runs of consecutive peers (a request for a target in such a gap would go past its
   * owner and round the ring), and falls back to the RFC's rule.
   */
  refilledNeighbors(until: number): void {
    this.gapsPossibleUntil = Math.max(this.gapsPossibleUntil, until);
  }

  /**
   * The neighbour responsible for `target` when the target lies in the arc the neighbour lists
   * cover without gaps: successors are consecutive peers after this one, so successor i is
   * responsible for (successor i-1, successor i], and predecessor j for (predecessor j+1,
   * predecessor j]. Undefined outside that arc (the last predecessor's range is unknown).
   */
  private neighborResponsibleFor(target: RingId): NodeId | undefined {
    let previous = this.self;
    for (const successor of this.neighbors.successors) {
      if (successor === this.self) break; // a ring smaller than the list wraps around
      if (inOpenClosed(target, previous, successor)) return successor;
      previous = successor;
    }
    const predecessors = this.neighbors.predecessors;
    for (let j = 0; j + 1 < predecessors.length; j++) {
      const [nearer, farther] = [predecessors[j], predecessors[j + 1]];
      if (farther === this.self || nearer === this.self) break;
      if (inOpenClosed(target, farther, nearer)) return nearer;
    }
    return undefined;
  }

  /** Drops `id` everywhere; reports which part changed. */
  remove(id: NodeId): { neighbor: boolean; finger: boolean } {
    return { neighbor: this.neighbors.remove(id), finger: this.fingers.remove(id) };
  }

  /** Every peer in the table once (neighbours first). */
  peers(): NodeId[] {
    const out = this.neighbors.all();
    for (const f of this.fingers.values()) if (!out.includes(f)) out.push(f);
    return out;
  }
}
