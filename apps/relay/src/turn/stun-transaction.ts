import { type StunMessage, decode } from '@msimerson/stun';
import { type Socket, createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { RelayCheckError } from '../errors';

/** Retransmissions of a STUN request over UDP (RFC 5389 §7.2.1, shortened for loopback checks). */
const RETRANSMIT_AFTER_MS = [0, 250, 750, 1750];

/**
 * One UDP socket for a health check's requests to one server: sends a request, retransmits it,
 * and resolves with the answer of the same transaction id. Several requests share the socket so
 * an allocation and its release come from the same 5-tuple, as TURN requires.
 */
export class StunSocket {
  private readonly socket: Socket;
  private readonly pending = new Map<string, (message: StunMessage) => void>();
  private ready: Promise<void>;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    this.socket.on('message', (bytes) => {
      let message: StunMessage;
      try {
        message = decode(bytes);
      } catch {
        return; // not STUN (or damaged): a check must not trip over stray datagrams
      }
      const id = message.transactionId.toString('hex');
      this.pending.get(id)?.(message);
      this.pending.delete(id);
    });
    this.socket.on('error', () => undefined);
    this.ready = new Promise((resolve) => this.socket.bind(0, () => resolve()));
  }

  /** The answer to `request`; rejects with STUN_TIMEOUT after `timeoutMs` or when the signal aborts. */
  async request(
    request: StunMessage,
    init: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<StunMessage> {
    await this.ready;
    const id = request.transactionId.toString('hex');
    const bytes = request.toBuffer();
    return new Promise<StunMessage>((resolve, reject) => {
      const timers = RETRANSMIT_AFTER_MS.filter((at) => at < init.timeoutMs).map((at) =>
        setTimeout(() => this.socket.send(bytes, this.port, this.host), at),
      );
      const finish = (): void => {
        timers.forEach(clearTimeout);
        clearTimeout(deadline);
        this.pending.delete(id);
        init.signal?.removeEventListener('abort', onAbort);
      };
      const deadline = setTimeout(() => {
        finish();
        reject(
          new RelayCheckError(
            'STUN_TIMEOUT',
            `no STUN answer from ${this.host}:${this.port} within ${init.timeoutMs} ms`,
          ),
        );
      }, init.timeoutMs);
      const onAbort = (): void => {
        finish();
        reject(new RelayCheckError('CHECK_ABORTED', 'check aborted', { cause: init.signal?.reason }));
      };
      if (init.signal?.aborted) return onAbort();
      init.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, (message) => {
        finish();
        resolve(message);
      });
    });
  }

  close(): void {
    this.pending.clear();
    void this.ready.then(() => this.socket.close());
  }
}
