import type { NodeId } from '@p2psip/identity';
import { type HealthClient, type HealthWatchCall, isServingStatus } from './health-check';
import { peerIdentityOf } from './peer-identity';

/**
 * A standing `Health.Watch` stream to one server: asking whether it serves costs nothing while the
 * stream is open (the server pushes changes), instead of a unary Check per probe. A server that
 * dies ends the stream (its connection closes, or the channel's keepalive pings go unanswered), and
 * the next probe opens a new one and waits for its first status like a Check would.
 */
export class HealthWatch {
  private call: HealthWatchCall | undefined;
  private status: boolean | undefined;
  private nodeIds: readonly NodeId[] | undefined;
  private readonly waiting = new Set<(serving: boolean) => void>();

  constructor(
    private readonly client: HealthClient,
    private readonly service = '',
  ) {}

  /** The server's last reported status; opens the stream and waits up to `timeoutMs` if needed. */
  probe(options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}): Promise<boolean> {
    if (this.call && this.status !== undefined) return Promise.resolve(this.status);
    if (options.signal?.aborted) return Promise.resolve(false);
    if (!this.call) this.open();
    return new Promise((resolve) => {
      const done = (serving: boolean): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', abort);
        this.waiting.delete(done);
        resolve(serving);
      };
      const abort = (): void => done(false);
      const timer = setTimeout(abort, options.timeoutMs ?? 2000);
      options.signal?.addEventListener('abort', abort, { once: true });
      this.waiting.add(done);
    });
  }

  /** The Node-IDs in the server's certificate, once a status has arrived over the stream. */
  get serverNodeIds(): readonly NodeId[] | undefined {
    return this.nodeIds;
  }

  close(): void {
    const call = this.call;
    this.ended(call);
    call?.cancel();
  }

  private open(): void {
    const call = this.client.watch({ service: this.service });
    this.call = call;
    this.status = undefined;
    call.on('data', (response) => {
      if (this.call !== call) return;
      this.nodeIds ??= peerIdentityOf(call)?.nodeIds;
      this.status = isServingStatus(response.status);
      for (const done of [...this.waiting]) done(this.status);
    });
    call.on('error', () => this.ended(call));
    call.on('end', () => this.ended(call));
    call.on('close', () => this.ended(call));
  }

  private ended(call: HealthWatchCall | undefined): void {
    if (call === undefined || this.call !== call) return;
    this.call = undefined;
    this.status = undefined;
    for (const done of [...this.waiting]) done(false);
  }
}
