import { idToHex, isWildcardNodeId, type NodeId, type RingId } from '@p2psip/identity';
import type { Link, OverlayLogger } from '../components';
import type { ConnectionTable } from '../links/connection-table';
import { nodeDestination, type Destination } from '../messages/destination';
import { ErrorCode, type ErrorCodeValue } from '../messages/error-code';
import type { ErrorAnswer } from '../messages/link-bodies';
import { isAnswer, type MessageBody, type OverlayMessage } from '../messages/message';
import type { RoutingTable } from '../routing-table/routing-table';
import type { OverlaySettings } from '../settings';
import { validateIncoming } from './validate';

/** What the router needs from its node. */
export interface RouterHost {
  readonly self: NodeId;
  readonly settings: OverlaySettings;
  readonly table: RoutingTable;
  readonly connections: ConnectionTable;
  readonly logger: OverlayLogger;
  /** Only a node in the ring is responsible for anything. */
  isJoined(): boolean;
  /** A message has reached its final destination here; `from` is the previous hop. */
  deliver(message: OverlayMessage, from: Link | undefined): void;
}

/**
 * Symmetric recursive routing (RFC 6940 §6.1–6.2): destination-list processing, via lists, TTL
 * and loop checks. `from` is the link a message arrived on, undefined for one this node
 * originates (the originator neither appends itself to the via list nor spends TTL: the first
 * forwarding hop appends it, and hops = via length + 1 at the destination).
 */
export class Router {
  constructor(private readonly host: RouterHost) {}

  route(message: OverlayMessage, from: Link | undefined): void {
    const host = this.host;
    if (from) {
      const problem = validateIncoming(message, host.self, host.settings);
      if (problem) return this.reject(message, from, problem.code, problem.info);
    }
    const dests = message.header.destinations;
    for (let i = 0; i < dests.length; i++) {
      const d = dests[i];
      if (d.kind === 'node') {
        if (d.id === host.self) continue;
        if (isWildcardNodeId(d.id)) return host.deliver(message, from);
        const link = host.connections.get(d.id);
        if (link) return this.forward(message, from, i, link);
        if (this.isResponsible(d.id)) {
          return this.reject(message, from, ErrorCode.NotFound, `node ${idToHex(d.id)} unknown`);
        }
        return this.forwardTowards(message, from, i, d.id);
      }
      if (d.kind === 'resource') {
        if (i !== dests.length - 1) {
          return this.reject(message, from, ErrorCode.InvalidMessage, 'Resource-ID not last');
        }
        if (this.isResponsible(d.id)) return host.deliver(message, from);
        return this.forwardTowards(message, from, i, d.id);
      }
      return this.reject(message, from, ErrorCode.InvalidMessage, 'unknown destination type');
    }
    host.deliver(message, from);
  }

  /** Sends `body` back along the reversed via list of `request` (RFC 6940 §6.3.2.2). */
  reply(request: OverlayMessage, from: Link | undefined, body: MessageBody): void {
    const path: Destination[] = [...request.header.via];
    if (from) path.push(nodeDestination(from.remoteNodeId));
    path.reverse();
    const answer: OverlayMessage = {
      header: {
        ttl: this.host.settings.initialTtl,
        transactionId: request.header.transactionId,
        via: [],
        destinations: path,
      },
      body,
    };
    this.route(answer, undefined);
  }

  /** Answers a request with a RELOAD error; errors about answers are only logged. */
  reject(message: OverlayMessage, from: Link | undefined, code: ErrorCodeValue, info: string): void {
    const type = message?.body?.type;
    this.host.logger.debug({ code, info, type }, 'message refused');
    if (typeof type !== 'string' || isAnswer(message.body) || !message.header) return;
    const body: ErrorAnswer = { type: 'error', code, info };
    this.reply(message, from, body);
  }

  private isResponsible(id: RingId): boolean {
    return this.host.isJoined() && this.host.table.isResponsible(id);
  }

  private forwardTowards(
    message: OverlayMessage,
    from: Link | undefined,
    index: number,
    target: RingId,
  ): void {
    const host = this.host;
    const hop = host.table.nextHop(target);
    // A joining node has no table yet; its only way out is the link it joins through.
    const link = hop !== undefined ? host.connections.get(hop) : from ? undefined : host.connections.any();
    if (!link) {
      return this.reject(message, from, ErrorCode.NotFound, 'no route towards destination');
    }
    this.forward(message, from, index, link);
  }

  private forward(message: OverlayMessage, from: Link | undefined, index: number, link: Link): void {
    const h = message.header;
    if (from && h.ttl === 0) {
      return this.reject(message, from, ErrorCode.TtlExceeded, 'TTL exhausted');
    }
    link.send({
      header: {
        ttl: from ? h.ttl - 1 : h.ttl,
        transactionId: h.transactionId,
        via: from ? [...h.via, nodeDestination(from.remoteNodeId)] : h.via,
        destinations: index === 0 ? h.destinations : h.destinations.slice(index),
        maxResponseLength: h.maxResponseLength,
      },
      body: message.body,
      ...(message.wire === undefined ? {} : { wire: message.wire }),
    });
  }
}
