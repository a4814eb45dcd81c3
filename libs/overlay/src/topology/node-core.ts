import type { NodeId } from '@p2psip/identity';
import type { Clock, Link, LinkTransport, OverlayLogger } from '../components';
import type { MessageBody } from '../messages/message';
import type { ResponsibleRange } from '../events';
import type { ConnectionTable } from '../links/connection-table';
import type { Destination } from '../messages/destination';
import type { AttachCandidate } from '../messages/link-bodies';
import type { Answer } from '../routing/transactions';
import type { RoutingTable } from '../routing-table/routing-table';
import type { OverlaySettings } from '../settings';
import type { AttachSlots } from './attach-slots';

export type { IncomingRequest, RequestHandler } from '../routing/request-handler';

export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Caps transmissions for this request (e.g. 1 for a Leave on the way out). */
  readonly maxTransmissions?: number;
}

/** The node internals the topology modules work with (implemented by `OverlayNode`). */
export interface NodeCore {
  readonly self: NodeId;
  readonly settings: OverlaySettings;
  readonly clock: Clock;
  readonly random: (size: number) => Uint8Array;
  readonly logger: OverlayLogger;
  readonly transport: LinkTransport;
  readonly table: RoutingTable;
  readonly connections: ConnectionTable;
  /** Bounds the Attaches in progress in each direction. */
  readonly attaches: AttachSlots;
  /** Clock time at start(), for uptime. */
  readonly startedAt: number;
  request(destinations: readonly Destination[], body: MessageBody, options?: RequestOptions): Promise<Answer>;
  /** Adds a fresh link to the connection table (glare rule applied); returns the kept link. */
  registerLink(link: Link): Link;
  listenCandidates(): AttachCandidate[];
  emitNeighborsChanged(): void;
  emitResponsibilityChanged(
    oldRange: ResponsibleRange | undefined,
    newRange: ResponsibleRange | undefined,
  ): void;
  emitJoined(): void;
}

/** A uniformly random fraction in [0, 1) from the node's random source. */
export function randomFraction(random: (size: number) => Uint8Array): number {
  const b = random(4);
  return (((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0) / 2 ** 32;
}

/** `intervalMs` × (1 ± jitter), so that periodic work of many nodes does not line up. */
export function jittered(intervalMs: number, jitter: number, random: (n: number) => Uint8Array): number {
  return intervalMs * (1 + jitter * (2 * randomFraction(random) - 1));
}

/** Checks a list of Node-IDs in a received body. */
export function isNodeIdList(x: unknown): x is NodeId[] {
  return Array.isArray(x) && x.every((v) => typeof v === 'bigint');
}
