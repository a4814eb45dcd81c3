import type { NodeId } from '@p2psip/identity';
import type { Destination } from './destination';

// Bodies of the topology plug-in methods with CHORD-RELOAD data (RFC 6940 §6.4.2, §10; proto
// topology.proto). Node-ID lists are nearest first unless stated otherwise.

/** JoinReq (0x0F): accepted only over a direct link bound to `joiningPeerId`. */
export interface JoinRequest {
  readonly type: 'join_req';
  readonly joiningPeerId: NodeId;
}

export interface JoinAnswer {
  readonly type: 'join_ans';
}

/**
 * ChordLeaveData (RFC 6940 §10.9). `from_succ` goes to the leaver's predecessors and carries its
 * successors; `from_pred` goes to its successors and carries its predecessors.
 */
export type ChordLeaveData =
  | { readonly type: 'from_succ'; readonly successors: readonly NodeId[] }
  | { readonly type: 'from_pred'; readonly predecessors: readonly NodeId[] };

/** LeaveReq (0x11): sent to every neighbour before exiting; same binding check as Join. */
export interface LeaveRequest {
  readonly type: 'leave_req';
  readonly leavingPeerId: NodeId;
  readonly data: ChordLeaveData;
}

export interface LeaveAnswer {
  readonly type: 'leave_ans';
}

/** ChordUpdateType (RFC 6940 §10.7): peer_ready has no lists, neighbors no fingers. */
export type ChordUpdateType = 'peer_ready' | 'neighbors' | 'full';

/** ChordUpdate: the sender's view of its neighbourhood. */
export interface ChordUpdate {
  /** Sender's uptime, whole seconds. */
  readonly uptimeS: number;
  readonly type: ChordUpdateType;
  readonly predecessors: readonly NodeId[];
  readonly successors: readonly NodeId[];
  /** Ascending by Node-ID (`full` only). */
  readonly fingers: readonly NodeId[];
}

/** UpdateReq (0x13). */
export interface UpdateRequest {
  readonly type: 'update_req';
  readonly update: ChordUpdate;
}

export interface UpdateAnswer {
  readonly type: 'update_ans';
}

/** RouteQueryReq (0x15): "where would you send this?"; `sendUpdate` asks for a full Update. */
export interface RouteQueryRequest {
  readonly type: 'route_query_req';
  readonly sendUpdate: boolean;
  readonly destination: Destination;
}

/** RouteQueryAns (0x16, CHORD-RELOAD): the responder's next hop (its own id if responsible). */
export interface RouteQueryAnswer {
  readonly type: 'route_query_ans';
  readonly nextPeer: NodeId;
}

/** ProbeInformationType codes (RFC 6940 §6.4.2.5). */
export const ProbeInformationType = {
  ResponsibleSet: 1,
  NumResources: 2,
  Uptime: 3,
} as const;
export type ProbeInformationTypeValue = (typeof ProbeInformationType)[keyof typeof ProbeInformationType];

/** ProbeReq (0x01). */
export interface ProbeRequest {
  readonly type: 'probe_req';
  readonly requestedInfo: readonly ProbeInformationTypeValue[];
}

/** One ProbeInformation item; `value` is uint32 (ppb, count or seconds by type). */
export interface ProbeInformation {
  readonly type: ProbeInformationTypeValue;
  readonly value: number;
}

/** ProbeAns (0x02): items in the requested order, unknown types skipped. */
export interface ProbeAnswer {
  readonly type: 'probe_ans';
  readonly info: readonly ProbeInformation[];
}

/** PingReq (0x17): addressable to a Node-ID, a Resource-ID or the wildcard. */
export interface PingRequest {
  readonly type: 'ping_req';
  /** Up to 65535 bytes, for path MTU probing. */
  readonly padding?: Uint8Array;
}

/** PingAns (0x18). */
export interface PingAnswer {
  readonly type: 'ping_ans';
  /** Random uint64 chosen by the responder. */
  readonly responseId: bigint;
  /** Responder's clock, ms. */
  readonly timeMs: number;
}
