import type { NodeId } from '@p2psip/identity';
import type { MessageBody, OverlayMessage } from './messages/message';

/** A scheduled callback; cancelling twice or after it ran is harmless. */
export interface Cancel {
  cancel(): void;
}

/**
 * Time as the node sees it. The peer app passes wall time and `setTimeout`; the testnet and the
 * simulator pass a virtual clock. The core never reads the system clock itself.
 */
export interface Clock {
  /** Milliseconds since an arbitrary epoch (the Unix epoch for the real clock). */
  now(): number;
  /** Runs `fn` once after `delayMs` (≥ 0). */
  schedule(delayMs: number, fn: () => void): Cancel;
}

/** What a link reports to its owner. One handler per link; the node implements it. */
export interface LinkHandler {
  onLinkMessage(link: Link, message: OverlayMessage): void;
  onLinkClose(link: Link): void;
}

/**
 * A live, ordered, bidirectional overlay link to one node: a gRPC bidi stream over mutual TLS in
 * the peer app, a pair of in-memory queues in the testnet.
 *
 * Contract for adapters:
 * - `remoteNodeId` comes from the authenticated peer (the TLS certificate), never from a message.
 * - Messages are delivered in order; a message the adapter cannot decode is dropped there (or
 *   answered with Error_Invalid_Message by the adapter), never handed over half-built.
 * - Messages arriving before `setHandler` are buffered and delivered when it is called.
 * - `close()` is idempotent; after it, and after the remote end closes or the link fails,
 *   `onLinkClose` is called exactly once and `send` becomes a no-op.
 * - `send` never throws; a link that cannot carry a message closes itself.
 */
export interface Link {
  readonly remoteNodeId: NodeId;
  /** The remote's address as known to this side: dialled address, or the transport's peer address. */
  readonly address: string;
  /** True when this side dialled (decides which of two crossing links survives). */
  readonly outbound: boolean;
  /**
   * True when the transport proved that the remote holds `remoteNodeId` (its certificate, checked
   * when the link was set up) and protects what the link carries: a message straight from its
   * originator then needs no signature check. Absent = false.
   */
  readonly authenticatesRemote?: boolean;
  send(message: OverlayMessage): void;
  close(): void;
  setHandler(handler: LinkHandler): void;
}

/**
 * How a node reaches others. Incoming links are handed to `OverlayNode.accept(link)` by the
 * adapter once the remote is authenticated.
 */
export interface LinkTransport {
  /** Where this node accepts links (advertised in Attach); opaque strings such as `host:port`. */
  listenAddresses(): readonly string[];
  /**
   * Opens a link. With `expectedNodeId`, the adapter must fail (`ConnectFailedError`) unless the
   * remote's certificate carries that Node-ID (RFC 6940 §6.6: Attach binds the link to a Node-ID).
   */
  connect(
    address: string,
    expectedNodeId: NodeId | undefined,
    options?: { signal?: AbortSignal },
  ): Promise<Link>;
}

/** Checks an originator's signature at the destination (RFC 6940 §6.3.4); false → dropped silently. */
export interface MessageSecurity {
  verify(message: OverlayMessage, originator: NodeId): boolean;
}

/** The logging the core needs; a pino child logger satisfies it. */
export interface OverlayLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * Where a node reports how long its requests take (the peer app keeps Prometheus histograms of
 * them). Called once per request on the message path: keep it cheap, and never throw.
 */
export interface RequestTimings {
  /** A request this node sent got its answer (`ok`), an error answer, or none (`error`). */
  originated(type: string, ms: number, outcome: RequestOutcome): void;
  /** A request handled here was answered, `ms` after it was delivered to this node. */
  handled(type: string, ms: number, outcome: RequestOutcome): void;
}

export type RequestOutcome = 'ok' | 'error';

/** How a request ended, by its answer's body: an error answer, or any other. */
export function outcomeOf(answer: MessageBody): RequestOutcome {
  return answer.type === 'error' ? 'error' : 'ok';
}

/** Collaborators of an `OverlayNode`. */
export interface OverlayComponents {
  readonly clock: Clock;
  readonly transport: LinkTransport;
  /** Random bytes (ids, transaction ids, jitter). @default node:crypto randomBytes */
  readonly random?: (size: number) => Uint8Array;
  readonly logger?: OverlayLogger;
  readonly security?: MessageSecurity;
  readonly timings?: RequestTimings;
}

export const silentLogger: OverlayLogger = {
  debug() {},
  info() {},
  warn() {},
};
