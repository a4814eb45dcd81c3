import type { NodeId } from '@p2psip/identity';
import { ReloadError } from '../errors';
import { nodeDestination } from '../messages/destination';
import { ErrorCode } from '../messages/error-code';
import type { LeaveAnswer, LeaveRequest } from '../messages/topology-bodies';
import type { ChordTopology } from './chord-topology';
import { isNodeIdList, type IncomingRequest, type NodeCore } from './node-core';

/**
 * Graceful departure (RFC 6940 §10.7.3): every predecessor gets our successors and every
 * successor our predecessors, so both sides can close the gap at once. One transmission each:
 * a neighbour that does not answer will notice the closed link anyway.
 */
export async function leave(core: NodeCore): Promise<void> {
  const { table, self } = core;
  const successors = [...table.neighbors.successors];
  const predecessors = [...table.neighbors.predecessors];
  const send = (to: NodeId, body: LeaveRequest): Promise<unknown> =>
    core.request([nodeDestination(to)], body, { maxTransmissions: 1 });
  const tasks: Promise<unknown>[] = [];
  for (const p of predecessors) {
    tasks.push(send(p, { type: 'leave_req', leavingPeerId: self, data: { type: 'from_succ', successors } }));
  }
  for (const s of successors) {
    tasks.push(
      send(s, { type: 'leave_req', leavingPeerId: self, data: { type: 'from_pred', predecessors } }),
    );
  }
  await Promise.allSettled(tasks);
}

/** A neighbour leaves: same binding check as Join, then repair with the lists it handed over. */
export function handleLeave(topology: ChordTopology, request: IncomingRequest<LeaveRequest>): LeaveAnswer {
  const { leavingPeerId: id, data } = request.body;
  if (id !== request.origin || request.hops !== 1 || request.link?.remoteNodeId !== id) {
    throw new ReloadError(ErrorCode.Forbidden, 'Leave must come over the leaver’s own link');
  }
  const handedOver = data?.type === 'from_succ' ? data.successors : data?.predecessors;
  if (!isNodeIdList(handedOver)) {
    throw new ReloadError(ErrorCode.InvalidMessage, 'bad ChordLeaveData');
  }
  topology.peerLeft(id, handedOver);
  return { type: 'leave_ans' };
}
