import { type OverlayMessage, type RequestOutcome, isAnswer, outcomeOf } from '@p2psip/overlay';

/** Requests of one client waiting for their answer at most (a client that floods gets no more). */
const MAX_PENDING = 4096;

/**
 * Times the requests a thin client sends through its attachment peer, from their arrival on the
 * client's stream to their answer going back down it: the part of a client's request time spent
 * in the overlay, without the client's own stream and process. Matched by transaction id; a
 * request never answered is forgotten once MAX_PENDING newer ones wait.
 */
export class ClientRequestClock {
  private readonly pending = new Map<bigint, { readonly type: string; readonly arrived: number }>();

  constructor(
    private readonly observe: (type: string, ms: number, outcome: RequestOutcome) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A message from the client. */
  fromClient(message: OverlayMessage): void {
    // A retransmission keeps the first arrival: the client has been waiting since then.
    if (isAnswer(message.body) || this.pending.has(message.header.transactionId)) return;
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) this.pending.delete(oldest.value);
    }
    this.pending.set(message.header.transactionId, { type: message.body.type, arrived: this.now() });
  }

  /** A message going down to the client. */
  toClient(message: OverlayMessage): void {
    if (!isAnswer(message.body)) return;
    const request = this.pending.get(message.header.transactionId);
    if (!request) return;
    this.pending.delete(message.header.transactionId);
    this.observe(request.type, this.now() - request.arrived, outcomeOf(message.body));
  }

  get waiting(): number {
    return this.pending.size;
  }
}
