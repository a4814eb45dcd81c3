import type { MessageBody } from '../messages/message';

interface Entry {
  readonly expiresAt: number;
  readonly body: MessageBody;
}

/**
 * Answers a responder replays to retransmitted requests (RFC 6940 §6.2.1: equivalent answers to
 * duplicates within 15 s), by transaction id. Entries all live the same time, so the Map's
 * insertion order is expiry order: sweeping from the front needs no timer per entry.
 */
export class AnswerCache {
  private readonly entries = new Map<bigint, Entry>();
  /** Requests being handled now: a duplicate arriving meanwhile is ignored. */
  private readonly inFlight = new Set<bigint>();

  constructor(private readonly ttlMs: number) {}

  get(transactionId: bigint, now: number): MessageBody | undefined {
    const e = this.entries.get(transactionId);
    return e && e.expiresAt > now ? e.body : undefined;
  }

  isInFlight(transactionId: bigint): boolean {
    return this.inFlight.has(transactionId);
  }

  begin(transactionId: bigint): void {
    this.inFlight.add(transactionId);
  }

  finish(transactionId: bigint, body: MessageBody, now: number): void {
    this.inFlight.delete(transactionId);
    this.sweep(now);
    this.entries.set(transactionId, { expiresAt: now + this.ttlMs, body });
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.inFlight.clear();
  }

  private sweep(now: number): void {
    for (const [id, e] of this.entries) {
      if (e.expiresAt > now) return;
      this.entries.delete(id);
    }
  }
}
