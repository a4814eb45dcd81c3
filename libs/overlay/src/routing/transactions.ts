import type { NodeId } from '@p2psip/identity';
import type { Cancel, Clock } from '../components';
import { AbortedError, ReloadError, RequestTimeoutError } from '../errors';
import type { Destination } from '../messages/destination';
import type { ErrorAnswer } from '../messages/link-bodies';
import type { MessageBody, OverlayMessage } from '../messages/message';

/** A successful answer to a routed request. */
export interface Answer<B extends MessageBody = MessageBody> {
  readonly body: B;
  /** The node that answered (first entry of the answer's via list). */
  readonly from: NodeId;
  /** The answer's via list: the responder, then the hops back. */
  readonly via: readonly Destination[];
}

class Pending {
  transmissions = 1;
  maxTransmissions = 1;
  timer?: Cancel;
  detach?: () => void;

  constructor(
    readonly message: OverlayMessage,
    readonly resolve: (a: Answer) => void,
    readonly reject: (e: Error) => void,
  ) {}
}

/**
 * Requests this node originated and awaits answers for (RFC 6940 §6.2.1 end-to-end
 * reliability): the same message, same transaction id, is sent again every `timeoutMs` until
 * `maxTransmissions` went out, then the request fails with `RequestTimeoutError`.
 */
export class Transactions {
  private readonly pending = new Map<bigint, Pending>();

  constructor(
    private readonly clock: Clock,
    private readonly send: (message: OverlayMessage) => void,
    private readonly timeoutMs: number,
    private readonly maxTransmissions: number,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  start(
    message: OverlayMessage,
    options: { signal?: AbortSignal; maxTransmissions?: number } = {},
  ): Promise<Answer> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError('aborted before sending'));
    return new Promise<Answer>((resolve, reject) => {
      const id = message.header.transactionId;
      const p = new Pending(message, resolve, reject);
      p.maxTransmissions = Math.min(options.maxTransmissions ?? Infinity, this.maxTransmissions);
      this.pending.set(id, p);
      if (signal) {
        const onAbort = (): void => this.fail(id, new AbortedError('request aborted'));
        signal.addEventListener('abort', onAbort, { once: true });
        p.detach = () => signal.removeEventListener('abort', onAbort);
      }
      p.timer = this.clock.schedule(this.timeoutMs, () => this.onTimer(id));
      this.send(message);
    });
  }

  /** Settles the matching request; false if none is pending (late or duplicate answer). */
  onAnswer(message: OverlayMessage, from: NodeId): boolean {
    const id = message.header.transactionId;
    const p = this.take(id);
    if (!p) return false;
    const body = message.body;
    if (body.type === 'error') {
      const e = body as ErrorAnswer;
      p.reject(new ReloadError(e.code, e.info));
    } else {
      p.resolve({ body, from, via: message.header.via });
    }
    return true;
  }

  failAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.fail(id, error);
  }

  private onTimer(id: bigint): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (p.transmissions >= p.maxTransmissions) {
      this.fail(
        id,
        new RequestTimeoutError(`no answer to ${p.message.body.type} after ${p.transmissions} transmissions`),
      );
      return;
    }
    p.transmissions++;
    p.timer = this.clock.schedule(this.timeoutMs, () => this.onTimer(id));
    this.send(p.message);
  }

  private fail(id: bigint, error: Error): void {
    this.take(id)?.reject(error);
  }

  private take(id: bigint): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    p.timer?.cancel();
    p.detach?.();
    return p;
  }
}
