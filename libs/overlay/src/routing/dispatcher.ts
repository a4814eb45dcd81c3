import type { NodeId } from '@p2psip/identity';
import {
  type Clock,
  type Link,
  type MessageSecurity,
  type OverlayLogger,
  type RequestTimings,
  outcomeOf,
} from '../components';
import { ReloadError } from '../errors';
import { ErrorCode } from '../messages/error-code';
import type { ErrorAnswer } from '../messages/link-bodies';
import { isAnswer, type MessageBody, type OverlayMessage } from '../messages/message';
import type { OverlaySettings } from '../settings';
import { AnswerCache } from './answer-cache';
import type { IncomingRequest, RequestHandler } from './request-handler';
import type { Router } from './router';
import type { Transactions } from './transactions';

/**
 * Final delivery at this node: answers go to the pending transaction, requests to the handler
 * registered for their type, with duplicates (end-to-end retransmissions) answered from the
 * answer cache instead of being handled twice.
 */
export class RequestDispatcher {
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly cache: AnswerCache;

  constructor(
    private readonly host: {
      readonly self: NodeId;
      readonly clock: Clock;
      readonly logger: OverlayLogger;
      readonly settings: OverlaySettings;
      readonly timings?: RequestTimings | undefined;
    },
    private readonly router: Router,
    private readonly security?: MessageSecurity,
  ) {
    this.cache = new AnswerCache(host.settings.answerCacheMs);
  }

  register(type: string, handler: RequestHandler): void {
    this.handlers.set(type, handler);
  }

  get cachedAnswers(): number {
    return this.cache.size;
  }

  clear(): void {
    this.cache.clear();
  }

  deliver(message: OverlayMessage, from: Link | undefined, transactions: Transactions): void {
    const via = message.header.via;
    const first = via[0];
    const origin = first?.kind === 'node' ? first.id : (from?.remoteNodeId ?? this.host.self);
    const checkSignature = this.needsSignatureCheck(message, from);
    if (isAnswer(message.body)) {
      // Answers are signed by whoever originated them (the responder, or a hop that refused the
      // request): a forged error answer could otherwise make a node give up on, or delete, data.
      if (checkSignature && !this.security?.verify(message, origin)) {
        this.host.logger.debug({ type: message.body.type }, 'answer with a bad signature dropped');
        return;
      }
      if (!transactions.onAnswer(message, origin)) {
        this.host.logger.debug({ type: message.body.type }, 'answer without a pending request');
      }
      return;
    }
    const id = message.header.transactionId;
    const now = this.host.clock.now();
    const cached = this.cache.get(id, now);
    if (cached) return this.router.reply(message, from, cached);
    if (this.cache.isInFlight(id)) return;
    const handler = this.handlers.get(message.body.type);
    if (!handler) {
      return this.router.reject(message, from, ErrorCode.InvalidMessage, 'unknown message type');
    }
    // Signatures are checked where the request is consumed; failures vanish (RFC 6940 §6.3.4).
    if (checkSignature && !this.security?.verify(message, origin)) {
      this.host.logger.debug({ type: message.body.type }, 'request with a bad signature dropped');
      return;
    }
    const request: IncomingRequest = {
      body: message.body,
      message,
      origin,
      link: from,
      hops: from ? via.length + 1 : 0,
    };
    this.cache.begin(id);
    let result: MessageBody | Promise<MessageBody>;
    try {
      result = handler(request);
    } catch (error) {
      return this.finish(message, from, this.errorBody(error, message), now);
    }
    if (result instanceof Promise) {
      result.then(
        (body) => this.finish(message, from, body, now),
        (error: unknown) => this.finish(message, from, this.errorBody(error, message), now),
      );
    } else {
      this.finish(message, from, result, now);
    }
  }

  /**
   * Whether the originator's signature must be checked here. Not when the message comes straight
   * from its originator (empty via list, so the link's remote is the originator): that link's
   * Node-ID was checked against the remote's certificate when the link was set up, and TLS
   * protects what it carries since, so the signature could prove nothing more. Neighbours'
   * Updates, replica Stores and their answers are all such messages (ADR 0003).
   */
  private needsSignatureCheck(message: OverlayMessage, from: Link | undefined): boolean {
    if (!this.security) return false;
    return !(from?.authenticatesRemote === true && message.header.via.length === 0);
  }

  private finish(request: OverlayMessage, from: Link | undefined, body: MessageBody, arrived: number): void {
    const now = this.host.clock.now();
    this.cache.finish(request.header.transactionId, body, now);
    this.router.reply(request, from, body);
    this.host.timings?.handled(request.body.type, now - arrived, outcomeOf(body));
  }

  private errorBody(error: unknown, message: OverlayMessage): ErrorAnswer {
    if (error instanceof ReloadError) {
      return { type: 'error', code: error.errorCode, info: error.info };
    }
    this.host.logger.warn({ error, type: message.body.type }, 'request handler failed');
    return { type: 'error', code: ErrorCode.InvalidMessage, info: 'request could not be handled' };
  }
}
