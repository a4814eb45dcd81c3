import type {
  AppAttachAnswer,
  AppDataAnswer,
  AppDataRequest,
  AppAttachRequest,
  AttachAnswer,
  AttachCandidate,
  AttachRequest,
  ChordUpdate,
  ChordUpdateType,
  ErrorAnswer,
  ErrorCodeValue,
  JoinAnswer,
  JoinRequest,
  LeaveAnswer,
  LeaveRequest,
  PathTrackAnswer,
  PathTrackRequest,
  PingAnswer,
  PingRequest,
  ProbeAnswer,
  ProbeInformation,
  ProbeInformationTypeValue,
  ProbeRequest,
  RouteQueryAnswer,
  RouteQueryRequest,
  UpdateAnswer,
  UpdateRequest,
} from '@p2psip/overlay';
import { idToBytes } from '@p2psip/identity';
import { overlayV1 } from '@p2psip/proto';
import { type BodyMapper, bodyMapper } from './body-mapper';
import {
  UndecodableError,
  decodeDestination,
  encodeDestination,
  nodeIdBytes,
  nodeIdOf,
  nodeIdsOf,
} from './ids';

const EMPTY = Buffer.alloc(0);

const ping = [
  bodyMapper<PingRequest, 'pingReq'>(
    'ping_req',
    'pingReq',
    (body) => ({ padding: Buffer.from(body.padding ?? EMPTY) }),
    (proto) => ({
      type: 'ping_req',
      ...(proto.padding.length > 0 ? { padding: new Uint8Array(proto.padding) } : {}),
    }),
  ),
  bodyMapper<PingAnswer, 'pingAns'>(
    'ping_ans',
    'pingAns',
    (body) => ({ responseId: body.responseId, timeMs: BigInt(body.timeMs) }),
    (proto) => ({ type: 'ping_ans', responseId: proto.responseId, timeMs: Number(proto.timeMs) }),
  ),
];

const PROBE_TYPES: Record<ProbeInformationTypeValue, overlayV1.ProbeInformationType> = {
  1: overlayV1.ProbeInformationType.PROBE_INFORMATION_TYPE_RESPONSIBLE_SET,
  2: overlayV1.ProbeInformationType.PROBE_INFORMATION_TYPE_NUM_RESOURCES,
  3: overlayV1.ProbeInformationType.PROBE_INFORMATION_TYPE_UPTIME,
};

function encodeProbeInfo(info: ProbeInformation): overlayV1.ProbeInformation {
  if (info.type === 1) return { info: { $case: 'responsibleSetPpb', responsibleSetPpb: info.value } };
  if (info.type === 2) return { info: { $case: 'numResources', numResources: info.value } };
  return { info: { $case: 'uptimeS', uptimeS: info.value } };
}

function decodeProbeInfo(info: overlayV1.ProbeInformation): ProbeInformation {
  switch (info.info?.$case) {
    case 'responsibleSetPpb':
      return { type: 1, value: info.info.responsibleSetPpb };
    case 'numResources':
      return { type: 2, value: info.info.numResources };
    case 'uptimeS':
      return { type: 3, value: info.info.uptimeS };
    default:
      throw new UndecodableError('an empty probe information entry');
  }
}

const probe = [
  bodyMapper<ProbeRequest, 'probeReq'>(
    'probe_req',
    'probeReq',
    (body) => ({ requestedInfo: body.requestedInfo.map((type) => PROBE_TYPES[type]) }),
    // Unknown information types are skipped, as RFC 6940 §6.4.2.1 asks of responders.
    (proto) => ({
      type: 'probe_req',
      requestedInfo: proto.requestedInfo
        .map((type) => Number(type))
        .filter((type): type is ProbeInformationTypeValue => type >= 1 && type <= 3),
    }),
  ),
  bodyMapper<ProbeAnswer, 'probeAns'>(
    'probe_ans',
    'probeAns',
    (body) => ({ probeInfo: body.info.map(encodeProbeInfo) }),
    (proto) => ({ type: 'probe_ans', info: proto.probeInfo.map(decodeProbeInfo) }),
  ),
];

function encodeCandidate(
  candidate: AttachCandidate,
  overlayLink = overlayV1.OverlayLinkType.OVERLAY_LINK_TYPE_GRPC_MTLS,
): overlayV1.IceCandidate {
  const separator = candidate.address.lastIndexOf(':');
  return {
    addrPort: {
      host: candidate.address.slice(0, separator),
      port: Number(candidate.address.slice(separator + 1)),
    },
    overlayLink,
    foundation: '',
    priority: candidate.priority,
    type: overlayV1.CandidateType.CANDIDATE_TYPE_HOST,
    relAddrPort: undefined,
    extensions: [],
  };
}

function decodeCandidate(candidate: overlayV1.IceCandidate): AttachCandidate {
  const address = candidate.addrPort;
  if (!address || !address.host || address.port < 1 || address.port > 65535)
    throw new UndecodableError('a candidate without a usable address');
  return { address: `${address.host}:${address.port}`, priority: candidate.priority };
}

function attachMessage(
  candidates: readonly AttachCandidate[],
  sendUpdate: boolean,
  role: overlayV1.IceRole,
): overlayV1.AttachReqAns {
  return { ufrag: '', password: '', role, candidates: candidates.map(encodeCandidate), sendUpdate };
}

const attach = [
  bodyMapper<AttachRequest, 'attachReq'>(
    'attach_req',
    'attachReq',
    (body) => attachMessage(body.candidates, body.sendUpdate, overlayV1.IceRole.ICE_ROLE_PASSIVE),
    (proto) => ({
      type: 'attach_req',
      candidates: proto.candidates.map(decodeCandidate),
      sendUpdate: proto.sendUpdate,
    }),
  ),
  bodyMapper<AttachAnswer, 'attachAns'>(
    'attach_ans',
    'attachAns',
    (body) => attachMessage(body.candidates, false, overlayV1.IceRole.ICE_ROLE_ACTIVE),
    (proto) => ({ type: 'attach_ans', candidates: proto.candidates.map(decodeCandidate) }),
  ),
];

/**
 * AppAttach candidates name a TLS-over-TCP listener of the application (SIP over mutual TLS,
 * DESIGN.md §6); there is no RELOAD framing header on it, but TLS_TCP_FH_NO_ICE is the nearest
 * RFC code and says "TLS over TCP, no ICE" to anyone reading the wire.
 */
const APP_LINK = overlayV1.OverlayLinkType.OVERLAY_LINK_TYPE_TLS_TCP_FH_NO_ICE;

function appAttachMessage(
  body: AppAttachRequest | AppAttachAnswer,
  role: overlayV1.IceRole,
): overlayV1.AppAttachReq {
  return {
    ufrag: '',
    password: '',
    application: body.application,
    role,
    candidates: body.candidates.map((candidate) => encodeCandidate(candidate, APP_LINK)),
  };
}

function applicationOf(proto: { readonly application: number }): number {
  if (proto.application < 1 || proto.application > 0xffff)
    throw new UndecodableError('an AppAttach or AppData without a 16-bit application id');
  return proto.application;
}

const appAttach = [
  bodyMapper<AppAttachRequest, 'appAttachReq'>(
    'app_attach_req',
    'appAttachReq',
    (body) => appAttachMessage(body, overlayV1.IceRole.ICE_ROLE_PASSIVE),
    (proto) => ({
      type: 'app_attach_req',
      application: applicationOf(proto),
      candidates: proto.candidates.map(decodeCandidate),
    }),
  ),
  bodyMapper<AppAttachAnswer, 'appAttachAns'>(
    'app_attach_ans',
    'appAttachAns',
    (body) => appAttachMessage(body, overlayV1.IceRole.ICE_ROLE_ACTIVE),
    (proto) => ({
      type: 'app_attach_ans',
      application: applicationOf(proto),
      candidates: proto.candidates.map(decodeCandidate),
    }),
  ),
];

/** Largest relayed chunk: a SIP message fits; bigger application writes are split by the sender. */
export const MAX_APP_DATA_BYTES = 60_000;

const appData = [
  bodyMapper<AppDataRequest, 'appDataReq'>(
    'app_data_req',
    'appDataReq',
    (body) => ({
      application: body.application,
      channelId: Buffer.from(body.channelId),
      sequence: body.sequence,
      data: Buffer.from(body.data),
      close: body.close,
      replyTo: body.replyTo.map(encodeDestination),
    }),
    (proto) => {
      if (proto.channelId.length === 0 || proto.channelId.length > 32)
        throw new UndecodableError('an AppData channel id must be 1..32 bytes');
      if (proto.data.length > MAX_APP_DATA_BYTES) throw new UndecodableError('AppData larger than allowed');
      return {
        type: 'app_data_req',
        application: applicationOf(proto),
        channelId: proto.channelId,
        sequence: proto.sequence,
        data: proto.data,
        close: proto.close,
        replyTo: proto.replyTo.map(decodeDestination),
      };
    },
  ),
  bodyMapper<AppDataAnswer, 'appDataAns'>(
    'app_data_ans',
    'appDataAns',
    () => ({}),
    () => ({ type: 'app_data_ans' }),
  ),
];

const UPDATE_TYPES: Record<ChordUpdateType, overlayV1.ChordUpdateType> = {
  peer_ready: overlayV1.ChordUpdateType.CHORD_UPDATE_TYPE_PEER_READY,
  neighbors: overlayV1.ChordUpdateType.CHORD_UPDATE_TYPE_NEIGHBORS,
  full: overlayV1.ChordUpdateType.CHORD_UPDATE_TYPE_FULL,
};
const UPDATE_NAMES = new Map(
  Object.entries(UPDATE_TYPES).map(([name, value]) => [value, name as ChordUpdateType]),
);

function decodeUpdate(proto: overlayV1.UpdateReq): ChordUpdate {
  const chord = proto.overlaySpecific?.chord;
  const type = chord ? UPDATE_NAMES.get(chord.type) : undefined;
  if (!chord || !type) throw new UndecodableError('an update without Chord data');
  return {
    uptimeS: chord.uptimeS,
    type,
    predecessors: nodeIdsOf(chord.predecessors),
    successors: nodeIdsOf(chord.successors),
    fingers: nodeIdsOf(chord.fingers),
  };
}

const topology = [
  bodyMapper<JoinRequest, 'joinReq'>(
    'join_req',
    'joinReq',
    (body) => ({ joiningPeerId: idToBytes(body.joiningPeerId), overlaySpecificData: EMPTY }),
    (proto) => ({ type: 'join_req', joiningPeerId: nodeIdOf(proto.joiningPeerId) }),
  ),
  bodyMapper<JoinAnswer, 'joinAns'>(
    'join_ans',
    'joinAns',
    () => ({ overlaySpecificData: EMPTY }),
    () => ({ type: 'join_ans' }),
  ),
  bodyMapper<LeaveRequest, 'leaveReq'>(
    'leave_req',
    'leaveReq',
    (body) => ({
      leavingPeerId: idToBytes(body.leavingPeerId),
      overlaySpecific: {
        $case: 'chord',
        chord:
          body.data.type === 'from_succ'
            ? {
                type: overlayV1.ChordLeaveType.CHORD_LEAVE_TYPE_FROM_SUCC,
                successors: nodeIdBytes(body.data.successors),
                predecessors: [],
              }
            : {
                type: overlayV1.ChordLeaveType.CHORD_LEAVE_TYPE_FROM_PRED,
                successors: [],
                predecessors: nodeIdBytes(body.data.predecessors),
              },
      },
    }),
    (proto) => {
      const chord = proto.overlaySpecific?.chord;
      if (chord?.type === overlayV1.ChordLeaveType.CHORD_LEAVE_TYPE_FROM_SUCC) {
        return {
          type: 'leave_req',
          leavingPeerId: nodeIdOf(proto.leavingPeerId),
          data: { type: 'from_succ', successors: nodeIdsOf(chord.successors) },
        };
      }
      if (chord?.type === overlayV1.ChordLeaveType.CHORD_LEAVE_TYPE_FROM_PRED) {
        return {
          type: 'leave_req',
          leavingPeerId: nodeIdOf(proto.leavingPeerId),
          data: { type: 'from_pred', predecessors: nodeIdsOf(chord.predecessors) },
        };
      }
      throw new UndecodableError('a leave without Chord data');
    },
  ),
  bodyMapper<LeaveAnswer, 'leaveAns'>(
    'leave_ans',
    'leaveAns',
    () => ({}),
    () => ({ type: 'leave_ans' }),
  ),
  bodyMapper<UpdateRequest, 'updateReq'>(
    'update_req',
    'updateReq',
    (body) => ({
      overlaySpecific: {
        $case: 'chord',
        chord: {
          uptimeS: body.update.uptimeS,
          type: UPDATE_TYPES[body.update.type],
          predecessors: nodeIdBytes(body.update.predecessors),
          successors: nodeIdBytes(body.update.successors),
          fingers: nodeIdBytes(body.update.fingers),
        },
      },
    }),
    (proto) => ({ type: 'update_req', update: decodeUpdate(proto) }),
  ),
  bodyMapper<UpdateAnswer, 'updateAns'>(
    'update_ans',
    'updateAns',
    () => ({}),
    () => ({ type: 'update_ans' }),
  ),
  bodyMapper<RouteQueryRequest, 'routeQueryReq'>(
    'route_query_req',
    'routeQueryReq',
    (body) => ({
      sendUpdate: body.sendUpdate,
      destination: encodeDestination(body.destination),
      overlaySpecificData: EMPTY,
    }),
    (proto) => ({
      type: 'route_query_req',
      sendUpdate: proto.sendUpdate,
      destination: decodeDestination(proto.destination),
    }),
  ),
  bodyMapper<RouteQueryAnswer, 'routeQueryAns'>(
    'route_query_ans',
    'routeQueryAns',
    (body) => ({ nextPeer: idToBytes(body.nextPeer) }),
    (proto) => ({ type: 'route_query_ans', nextPeer: nodeIdOf(proto.nextPeer) }),
  ),
];

const pathTrack = [
  bodyMapper<PathTrackRequest, 'pathTrackReq'>(
    'path_track_req',
    'pathTrackReq',
    (body) => ({
      destination: encodeDestination(body.destination),
      request: {
        expiresAtMs: BigInt(body.request.expiresAtMs),
        initiatedAtMs: BigInt(body.request.initiatedAtMs),
        dmFlags: body.request.dmFlags,
        extensions: [],
      },
    }),
    (proto) => {
      if (!proto.request) throw new UndecodableError('a path track without its diagnostics request');
      return {
        type: 'path_track_req',
        destination: decodeDestination(proto.destination),
        request: {
          expiresAtMs: Number(proto.request.expiresAtMs),
          initiatedAtMs: Number(proto.request.initiatedAtMs),
          dmFlags: proto.request.dmFlags,
        },
      };
    },
  ),
  bodyMapper<PathTrackAnswer, 'pathTrackAns'>(
    'path_track_ans',
    'pathTrackAns',
    (body) => ({
      nextHop: encodeDestination(body.nextHop),
      response: {
        expiresAtMs: BigInt(body.response.expiresAtMs),
        initiatedAtMs: BigInt(body.response.initiatedAtMs),
        receivedAtMs: BigInt(body.response.receivedAtMs),
        hopCounter: body.response.hopCounter,
        diagnosticInfo: body.response.info.map((info) => ({
          kind: info.kind,
          contents: Buffer.from(info.contents),
        })),
      },
    }),
    (proto) => {
      const response = proto.response;
      if (!response) throw new UndecodableError('a path track answer without its diagnostics response');
      return {
        type: 'path_track_ans',
        nextHop: decodeDestination(proto.nextHop),
        response: {
          expiresAtMs: Number(response.expiresAtMs),
          initiatedAtMs: Number(response.initiatedAtMs),
          receivedAtMs: Number(response.receivedAtMs),
          hopCounter: response.hopCounter,
          info: response.diagnosticInfo.map((info) => ({
            kind: info.kind,
            contents: new Uint8Array(info.contents),
          })),
        },
      };
    },
  ),
];

const error = bodyMapper<ErrorAnswer, 'error'>(
  'error',
  'error',
  (body) => ({ code: body.code, info: body.info, infoData: EMPTY }),
  (proto) => ({ type: 'error', code: proto.code as unknown as ErrorCodeValue, info: proto.info }),
);

/** The mappers of every body the overlay core itself speaks. */
export const CORE_BODY_MAPPERS: readonly BodyMapper[] = [
  ...ping,
  ...probe,
  ...attach,
  ...appAttach,
  ...appData,
  ...topology,
  ...pathTrack,
  error,
];
