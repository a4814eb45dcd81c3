import type { NodeId } from '@p2psip/identity';
import type { Link } from '../components';
import { ConnectFailedError, ReloadError } from '../errors';
import type { Destination } from '../messages/destination';
import { ErrorCode } from '../messages/error-code';
import type { AttachAnswer, AttachCandidate, AttachRequest } from '../messages/link-bodies';
import type { IncomingRequest, NodeCore } from './node-core';

export interface AttachResult {
  readonly nodeId: NodeId;
  /** Undefined when the responder is this node itself (it is responsible for the target). */
  readonly link: Link | undefined;
}

/**
 * Attach (RFC 6940 §6.5.1) to whoever the destination list reaches, then dial its candidates.
 * The responder's Node-ID is where the answer came from, and the transport holds the new link to
 * that id (certificate check), so a wrong answerer cannot steal the link.
 */
export async function attach(
  core: NodeCore,
  destinations: readonly Destination[],
  options: { sendUpdate?: boolean; signal?: AbortSignal } = {},
): Promise<AttachResult> {
  return core.attaches.outboundAttach(async () => {
    const offer = await requestAttach(core, destinations, options);
    return { nodeId: offer.nodeId, link: await dialAttached(core, offer, options.signal) };
  });
}

export interface AttachOffer {
  readonly nodeId: NodeId;
  readonly candidates: readonly AttachCandidate[];
}

/** The Attach exchange alone: who answered, and where it can be dialled (caller holds a slot). */
export async function requestAttach(
  core: NodeCore,
  destinations: readonly Destination[],
  options: { sendUpdate?: boolean; signal?: AbortSignal } = {},
): Promise<AttachOffer> {
  const request: AttachRequest = {
    type: 'attach_req',
    candidates: core.listenCandidates(),
    sendUpdate: options.sendUpdate ?? false,
  };
  const answer = await core.request(destinations, request, { signal: options.signal });
  const candidates = (answer.body as AttachAnswer).candidates;
  return { nodeId: answer.from, candidates: Array.isArray(candidates) ? candidates : [] };
}

/** Dials the answerer unless it is this node or already linked; returns the link in use. */
export async function dialAttached(
  core: NodeCore,
  offer: AttachOffer,
  signal?: AbortSignal,
): Promise<Link | undefined> {
  if (offer.nodeId === core.self) return undefined;
  const existing = core.connections.get(offer.nodeId);
  if (existing) return existing;
  const candidates = [...offer.candidates].sort((a, b) => b.priority - a.priority);
  let lastError: unknown;
  for (const c of candidates) {
    try {
      const link = await core.transport.connect(c.address, offer.nodeId, { signal });
      return core.registerLink(link);
    } catch (error) {
      lastError = error;
    }
  }
  throw new ConnectFailedError('no candidate of the Attach answer could be reached', {
    cause: lastError,
  });
}

/**
 * Answers an Attach with this node's candidates. `sendUpdate` asks for a full Update once the
 * requester's link is up (RFC 6940 §6.5.1): at once if a link already exists, else when it
 * arrives (`linkUp` in the topology). A requester not linked yet takes an inbound Attach slot
 * until its link arrives; with none free the answer is Error_In_Progress.
 */
export function handleAttach(
  core: NodeCore,
  request: IncomingRequest<AttachRequest>,
  sendFullUpdate: (to: NodeId) => void,
): AttachAnswer {
  if (!Array.isArray(request.body.candidates)) {
    throw new ReloadError(ErrorCode.InvalidMessage, 'attach without candidates');
  }
  const sendUpdate = request.body.sendUpdate === true;
  if (core.connections.has(request.origin)) {
    if (sendUpdate) sendFullUpdate(request.origin);
  } else {
    core.attaches.admitInbound(request.origin, sendUpdate);
  }
  return { type: 'attach_ans', candidates: core.listenCandidates() };
}

export function candidatesFor(addresses: readonly string[]): AttachCandidate[] {
  // Earlier addresses are preferred: the transport lists its best one first.
  return addresses.map((address, i) => ({ address, priority: addresses.length - i }));
}
