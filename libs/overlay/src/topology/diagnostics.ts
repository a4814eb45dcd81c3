import { arcPartsPerBillion, type NodeId } from '@p2psip/identity';
import { ReloadError } from '../errors';
import { nodeDestination, type Destination } from '../messages/destination';
import { ErrorCode } from '../messages/error-code';
import {
  DIAGNOSTIC_KIND_OVERLAY_ADDRESSES,
  type PathTrackAnswer,
  type PathTrackRequest,
} from '../messages/link-bodies';
import {
  ProbeInformationType,
  type PingAnswer,
  type ProbeAnswer,
  type ProbeInformation,
  type ProbeRequest,
  type RouteQueryAnswer,
  type RouteQueryRequest,
} from '../messages/topology-bodies';
import type { ChordTopology } from './chord-topology';
import type { IncomingRequest, NodeCore } from './node-core';

/**
 * Where this node would send a message for `destination`: the node itself when it is the end
 * of the route (responsible, or the destination), else the directly connected destination, else
 * the routing table's next hop.
 */
export function nextHopFor(core: NodeCore, topology: ChordTopology, destination: Destination): NodeId {
  if (destination.kind === 'opaque') {
    throw new ReloadError(ErrorCode.InvalidMessage, 'opaque destination');
  }
  const id = destination.id;
  if (id === core.self) return core.self;
  if (destination.kind === 'node' && core.connections.has(id as NodeId)) return id as NodeId;
  if (topology.joined && core.table.isResponsible(id)) return core.self;
  return core.table.nextHop(id) ?? core.self;
}

export function handlePing(core: NodeCore): PingAnswer {
  const b = core.random(8);
  let responseId = 0n;
  for (const x of b) responseId = (responseId << 8n) | BigInt(x);
  return { type: 'ping_ans', responseId, timeMs: core.clock.now() };
}

export function handleProbe(
  core: NodeCore,
  topology: ChordTopology,
  request: IncomingRequest<ProbeRequest>,
  resourceCount: () => number,
): ProbeAnswer {
  const asked: unknown = request.body.requestedInfo;
  if (!Array.isArray(asked)) throw new ReloadError(ErrorCode.InvalidMessage, 'no requested_info');
  const info: ProbeInformation[] = [];
  for (const type of asked as readonly unknown[]) {
    if (type === ProbeInformationType.ResponsibleSet) {
      const range = topology.responsibleRange();
      info.push({ type, value: range ? arcPartsPerBillion(range.from, range.to) : 0 });
    } else if (type === ProbeInformationType.NumResources) {
      info.push({ type, value: resourceCount() });
    } else if (type === ProbeInformationType.Uptime) {
      info.push({ type, value: Math.floor((core.clock.now() - core.startedAt) / 1000) });
    }
  }
  return { type: 'probe_ans', info };
}

export function handleRouteQuery(
  core: NodeCore,
  topology: ChordTopology,
  request: IncomingRequest<RouteQueryRequest>,
): RouteQueryAnswer {
  const { destination, sendUpdate } = request.body;
  if (!destination) throw new ReloadError(ErrorCode.InvalidMessage, 'no destination');
  const nextPeer = nextHopFor(core, topology, destination);
  // After the answer, as RFC 6940 §6.4.2.4 orders it.
  if (sendUpdate) core.clock.schedule(0, () => topology.sendUpdate(request.origin, 'full'));
  return { type: 'route_query_ans', nextPeer };
}

const encoder = new TextEncoder();

export function handlePathTrack(
  core: NodeCore,
  topology: ChordTopology,
  request: IncomingRequest<PathTrackRequest>,
): PathTrackAnswer {
  const { destination, request: diag } = request.body;
  if (!destination || !diag) throw new ReloadError(ErrorCode.InvalidMessage, 'bad PathTrack');
  const now = core.clock.now();
  if (diag.expiresAtMs < now) throw new ReloadError(ErrorCode.MessageExpired, 'expired');
  return {
    type: 'path_track_ans',
    nextHop: nodeDestination(nextHopFor(core, topology, destination)),
    response: {
      expiresAtMs: diag.expiresAtMs,
      initiatedAtMs: diag.initiatedAtMs,
      receivedAtMs: now,
      hopCounter: request.message.header.ttl,
      info: [
        {
          kind: DIAGNOSTIC_KIND_OVERLAY_ADDRESSES,
          contents: encoder.encode(core.transport.listenAddresses().join(',')),
        },
      ],
    },
  };
}
