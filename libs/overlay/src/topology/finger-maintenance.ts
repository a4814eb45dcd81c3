import { idToHex, inClosedClosed, inOpenClosed, randomIdInInterval } from '@p2psip/identity';
import { resourceDestination } from '../messages/destination';
import { dialAttached, requestAttach } from './attach';
import type { ChordTopology } from './chord-topology';
import { randomFraction, type NodeCore } from './node-core';

/**
 * Finger refresh (RFC 6940 §10.6 step 2–3). A slot needs work when it is empty or its peer left
 * its interval; each such slot is retried with probability ½ per round (all of them in the first
 * round after joining), by attaching to a random id inside the interval: whoever is responsible
 * for it answers, and becomes the finger if it lies inside the interval. Slots whose whole
 * interval lies within the successor list are skipped: routing there uses the successors, and in
 * small rings this spares a probe per empty slot per round.
 */
export function refreshFingers(core: NodeCore, topology: ChordTopology, all: boolean): void {
  const { table, self, random } = core;
  const successors = table.neighbors.successors;
  const last = successors[successors.length - 1];
  for (let i = 1; i <= table.fingers.size; i++) {
    const interval = table.fingers.interval(i);
    if (last !== undefined && inOpenClosed(interval.end, self, last)) continue;
    if (table.fingers.isValid(i)) continue;
    if (!all && randomFraction(random) < 0.5) continue;
    const target = randomIdInInterval(interval, random);
    fillSlot(core, topology, i, target).catch((error: unknown) => {
      core.logger.debug({ slot: i, target: idToHex(target), error }, 'finger refresh failed');
    });
  }
}

function fillSlot(core: NodeCore, topology: ChordTopology, index: number, target: bigint): Promise<void> {
  return core.attaches.outboundAttach(() => attachFinger(core, topology, index, target));
}

async function attachFinger(
  core: NodeCore,
  topology: ChordTopology,
  index: number,
  target: bigint,
): Promise<void> {
  const offer = await requestAttach(core, [resourceDestination(target)]);
  const { start, end } = core.table.fingers.interval(index);
  // An answerer outside the interval means the interval is (mostly) empty: no link for it.
  if (!inClosedClosed(offer.nodeId, start, end) || offer.nodeId === core.self) return;
  const link = await dialAttached(core, offer);
  if (!link || !topology.joined) return;
  if (!core.table.fingers.isValid(index)) core.table.fingers.set(index, offer.nodeId);
  // The new finger may also be a better neighbour.
  topology.offer([offer.nodeId]);
}
