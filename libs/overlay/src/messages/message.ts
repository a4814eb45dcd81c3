import type { Destination } from './destination';

/**
 * The part of a message that hops read and rewrite (RFC 6940 §6.3.2; proto `ForwardingHeader`).
 * Overlay, version and configuration sequence are link-level facts checked by the adapter, so the
 * core does not carry them. Messages are immutable: a forwarding hop builds a new header.
 */
export interface ForwardingHeader {
  /** Hops left. Decremented by each forwarding hop before it sends; 0 on arrival → TTL error. */
  readonly ttl: number;
  /** Random uint64 per request; the answer and every retransmission reuse it. */
  readonly transactionId: bigint;
  /** Nodes the message passed through, oldest first; the answer's destination list is its reverse. */
  readonly via: readonly Destination[];
  /** Remaining destinations; the first is the next target; a Resource-ID only as the last entry. */
  readonly destinations: readonly Destination[];
  /** Largest answer the requester accepts, in bytes; undefined = no limit (the adapter enforces it). */
  readonly maxResponseLength?: number;
}

/**
 * A message body. `type` names the RELOAD method in proto oneof style: requests end in `_req`,
 * answers in `_ans`, and `error` is the error answer (message code 0xFFFF). Bodies other than the
 * core ones (e.g. `store_req` from the storage lib) are opaque to routing and reach the handler
 * registered for their type.
 */
export interface MessageBody {
  readonly type: string;
}

/** A routed message (RFC 6940 §6.3) minus framing; the signature is the adapter's business. */
export interface OverlayMessage<B extends MessageBody = MessageBody> {
  readonly header: ForwardingHeader;
  readonly body: B;
  /**
   * The adapter's own form of what it received (e.g. the exact signed body bytes and security
   * block), opaque to the core and carried unchanged when the message is forwarded, so that an
   * originator's signature still holds at the destination (RFC 6940 §6.3.4).
   */
  readonly wire?: unknown;
}

/** Answers (and errors) are matched to pending requests; everything else is a request. */
export function isAnswer(body: MessageBody): boolean {
  return body.type === 'error' || body.type.endsWith('_ans');
}

/** The RELOAD message code of each core body (RFC 6940 §14.8, RFC 7851), for binary adapters. */
export const MESSAGE_CODES: Readonly<Record<string, number>> = {
  probe_req: 0x01,
  probe_ans: 0x02,
  attach_req: 0x03,
  attach_ans: 0x04,
  store_req: 0x07,
  store_ans: 0x08,
  fetch_req: 0x09,
  fetch_ans: 0x0a,
  find_req: 0x0d,
  find_ans: 0x0e,
  join_req: 0x0f,
  join_ans: 0x10,
  leave_req: 0x11,
  leave_ans: 0x12,
  update_req: 0x13,
  update_ans: 0x14,
  route_query_req: 0x15,
  route_query_ans: 0x16,
  ping_req: 0x17,
  ping_ans: 0x18,
  stat_req: 0x19,
  stat_ans: 0x1a,
  app_attach_req: 0x1d,
  app_attach_ans: 0x1e,
  app_data_req: 0xf001,
  app_data_ans: 0xf002,
  config_update_req: 0x21,
  config_update_ans: 0x22,
  path_track_req: 0x27,
  path_track_ans: 0x28,
  error: 0xffff,
};
