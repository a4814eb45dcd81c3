import { ReloadError } from '../errors';
import { ErrorCode } from '../messages/error-code';
import type { MessageBody } from '../messages/message';
import type { AttachRequest, PathTrackRequest } from '../messages/link-bodies';
import type {
  JoinRequest,
  LeaveRequest,
  ProbeRequest,
  RouteQueryRequest,
  UpdateAnswer,
  UpdateRequest,
} from '../messages/topology-bodies';
import type { RequestDispatcher } from '../routing/dispatcher';
import type { IncomingRequest, RequestHandler } from '../routing/request-handler';
import { handleAttach } from './attach';
import type { ChordTopology } from './chord-topology';
import { handlePathTrack, handlePing, handleProbe, handleRouteQuery } from './diagnostics';
import { handleJoin } from './join';
import { handleLeave } from './leave';
import { isNodeIdList, type NodeCore } from './node-core';

/** The handlers of the methods the overlay core implements itself (one line per method). */
export function registerCoreHandlers(
  core: NodeCore,
  topology: ChordTopology,
  dispatcher: RequestDispatcher,
  resourceCount: () => number,
): void {
  const on = <B extends MessageBody>(
    type: string,
    h: (r: IncomingRequest<B>) => ReturnType<RequestHandler>,
  ): void => dispatcher.register(type, h as RequestHandler);
  on<AttachRequest>('attach_req', (r) => handleAttach(core, r, (to) => topology.sendUpdate(to, 'full')));
  on<JoinRequest>('join_req', (r) => handleJoin(topology, r));
  on<LeaveRequest>('leave_req', (r) => handleLeave(topology, r));
  on<UpdateRequest>('update_req', (r) => handleUpdate(topology, r));
  on<RouteQueryRequest>('route_query_req', (r) => handleRouteQuery(core, topology, r));
  on('ping_req', () => handlePing(core));
  on<ProbeRequest>('probe_req', (r) => handleProbe(core, topology, r, resourceCount));
  on<PathTrackRequest>('path_track_req', (r) => handlePathTrack(core, topology, r));
}

/** Largest successor, predecessor or finger list an Update may carry (RFC 6940 fingers grow to 128). */
const MAX_UPDATE_LIST = 128;

function handleUpdate(topology: ChordTopology, r: IncomingRequest<UpdateRequest>): UpdateAnswer {
  const u = r.body.update;
  const ok =
    u &&
    ['peer_ready', 'neighbors', 'full'].includes(u.type) &&
    isNodeIdList(u.successors) &&
    isNodeIdList(u.predecessors) &&
    isNodeIdList(u.fingers);
  if (!ok) throw new ReloadError(ErrorCode.InvalidMessage, 'malformed ChordUpdate');
  // An Update describes its sender's tables; only the neighbour itself, over its own link, may send
  // it. Without originator signatures the origin of a routed request is what the previous hop
  // wrote, so a relayed Update could speak for anyone (as for Join and Leave).
  if (r.hops !== 1 || r.link?.remoteNodeId !== r.origin) {
    throw new ReloadError(ErrorCode.Forbidden, 'an Update must come straight from the node it describes');
  }
  // A neighbour's tables are small: longer lists are an attack on our Attach machinery.
  if ([u.successors, u.predecessors, u.fingers].some((list) => list.length > MAX_UPDATE_LIST)) {
    throw new ReloadError(
      ErrorCode.InvalidMessage,
      `ChordUpdate lists hold at most ${MAX_UPDATE_LIST} Node-IDs`,
    );
  }
  topology.applyUpdate(r.origin, u);
  return { type: 'update_ans' };
}
