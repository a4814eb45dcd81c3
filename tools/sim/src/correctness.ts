import { inOpenClosed } from '@p2psip/identity';
import type { OverlayNode } from '@p2psip/overlay';
import type { RingTruth } from './ring-truth';

/** Routing-table correctness over a sample of live nodes (fractions in [0, 1]). */
export interface TableCorrectness {
  readonly nodes: number;
  /** First successor is the true next live node. */
  readonly successor: number;
  /** The whole successor list equals the true next live nodes. */
  readonly successorList: number;
  /** First predecessor is the true previous live node. */
  readonly predecessor: number;
  /** Filled finger slots whose peer is alive (a finger is right when alive and inside its interval). */
  readonly fingersLive: number;
  /** Slots worth filling (a live node in the interval, beyond the successor list) that hold a live finger. */
  readonly fingerCoverage: number;
}

/** Compares each node's tables with the truth. */
export function checkTables(nodes: readonly OverlayNode[], truth: RingTruth): TableCorrectness {
  let succ = 0;
  let succList = 0;
  let pred = 0;
  let fingersFilled = 0;
  let fingersLive = 0;
  let slotsWanted = 0;
  let slotsCovered = 0;
  for (const node of nodes) {
    const { successors, predecessors } = node.neighbors();
    const trueSucc = truth.successorsOf(node.nodeId, successors.length || 1);
    if (successors[0] === trueSucc[0]) succ++;
    if (successors.length > 0 && successors.every((id, i) => id === trueSucc[i])) succList++;
    if (predecessors[0] === truth.predecessorsOf(node.nodeId, 1)[0]) pred++;
    const fingers = node.table.fingers;
    const last = successors[successors.length - 1];
    for (let i = 1; i <= fingers.size; i++) {
      const peer = fingers.get(i);
      const alive = peer !== undefined && truth.has(peer);
      if (peer !== undefined) {
        fingersFilled++;
        if (alive) fingersLive++;
      }
      const { start, end } = fingers.interval(i);
      // The refresh skips slots inside the successor list (routing uses the successors there).
      if (last !== undefined && inOpenClosed(end, node.nodeId, last)) continue;
      if (!truth.anyIn(start, end)) continue;
      slotsWanted++;
      if (alive) slotsCovered++;
    }
  }
  const n = nodes.length;
  return {
    nodes: n,
    successor: n ? succ / n : NaN,
    successorList: n ? succList / n : NaN,
    predecessor: n ? pred / n : NaN,
    fingersLive: fingersFilled ? fingersLive / fingersFilled : NaN,
    fingerCoverage: slotsWanted ? slotsCovered / slotsWanted : NaN,
  };
}
