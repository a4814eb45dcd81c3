import type { NodeId, RingId } from '@p2psip/identity';
import { ReloadError } from '../errors';
import { nodeDestination, resourceDestination, type Destination } from '../messages/destination';
import { ErrorCode } from '../messages/error-code';
import {
  DIAGNOSTIC_KIND_OVERLAY_ADDRESSES,
  type PathTrackAnswer,
  type PathTrackRequest,
} from '../messages/link-bodies';
import type { ChordTopology } from './chord-topology';
import { nextHopFor } from './diagnostics';
import type { NodeCore } from './node-core';

/** One hop of a path trace. */
export interface TraceHop {
  /** 0 is this node, 1 its first hop, … */
  readonly index: number;
  readonly nodeId: NodeId;
  /** The hop's listen addresses as it reports them (comma-separated), if it did. */
  readonly address: string | undefined;
  /** Round trip from this node to that hop along the traced path, ms (0 for index 0). */
  readonly latencyMs: number;
  /** True for the last hop: the node responsible for the traced id. */
  readonly responsible: boolean;
}

const decoder = new TextDecoder();
const TRACE_VALIDITY_MS = 60_000;

/**
 * Path trace (RFC 7851 PathTrack): asks each hop in turn for its next hop towards `target`,
 * reaching hop k by source-routing through hops 1…k−1, so the path traced is the path a routed
 * message takes and each latency is a real round trip along it.
 */
export async function* trace(
  core: NodeCore,
  topology: ChordTopology,
  target: RingId,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<TraceHop> {
  const destination = resourceDestination(target);
  let hop = nextHopFor(core, topology, destination);
  const self = hop === core.self;
  const address = core.transport.listenAddresses().join(',') || undefined;
  yield { index: 0, nodeId: core.self, address, latencyMs: 0, responsible: self };
  if (self) return;
  const path: Destination[] = [];
  const seen = new Set<NodeId>([core.self]);
  for (let index = 1; index <= core.settings.initialTtl; index++) {
    if (seen.has(hop)) throw new ReloadError(ErrorCode.LoopDetected, 'path trace loops');
    seen.add(hop);
    path.push(nodeDestination(hop));
    const started = core.clock.now();
    const body: PathTrackRequest = {
      type: 'path_track_req',
      destination,
      request: { expiresAtMs: started + TRACE_VALIDITY_MS, initiatedAtMs: started, dmFlags: 0n },
    };
    const answer = await core.request([...path], body, options);
    const { nextHop, response } = answer.body as PathTrackAnswer;
    const info = response.info.find((i) => i.kind === DIAGNOSTIC_KIND_OVERLAY_ADDRESSES);
    const responsible = nextHop.kind === 'node' && nextHop.id === hop;
    yield {
      index,
      nodeId: hop,
      address: info ? decoder.decode(info.contents) : undefined,
      latencyMs: core.clock.now() - started,
      responsible,
    };
    if (responsible || nextHop.kind !== 'node') return;
    hop = nextHop.id;
  }
  throw new ReloadError(ErrorCode.TtlExceeded, 'path trace longer than the initial TTL');
}
