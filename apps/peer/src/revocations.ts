import { type Bus, revocationEvents } from '@p2psip/bus';
import { httpsCall } from '@p2psip/enrollment-client';
import { type ReloadCertificate, revokedSerials } from '@p2psip/identity';
import type { Logger } from '@p2psip/telemetry';

/**
 * The serials this peer refuses to link with (DESIGN.md §4): learned from the durable NATS
 * revocation stream when there is one, and from the CA's CRL, polled, in any case.
 */
export class Revocations {
  private readonly serials = new Set<string>();
  private readonly listeners: ((serialNumber: string) => void)[] = [];

  constructor(private readonly logger: Logger) {}

  /** Called once for every serial that becomes known as revoked (to close live links). */
  onRevoked(listener: (serialNumber: string) => void): void {
    this.listeners.push(listener);
  }

  private add(serialNumber: string): void {
    if (this.serials.has(serialNumber)) return;
    this.serials.add(serialNumber);
    this.logger.info({ serialNumber }, 'certificate revoked: refusing it from now on');
    for (const listener of this.listeners) listener(serialNumber);
  }

  isRevoked(certificate: Pick<ReloadCertificate, 'serialNumber'>): boolean {
    return this.serials.has(certificate.serialNumber);
  }

  /** Polls `GET /crl` every `intervalMs` until the signal aborts (first poll now). */
  scheduleCrlPolling(init: { crlUrl: string; caPem: string; intervalMs: number; signal: AbortSignal }): void {
    const poll = (): void => {
      httpsCall(init.crlUrl, { caPem: init.caPem, signal: init.signal, timeoutMs: 10_000 })
        .then((answer) => {
          if (answer.status !== 200) throw new Error(`CRL answered ${answer.status}`);
          for (const serial of revokedSerials(answer.body)) this.add(serial);
        })
        .catch((error: unknown) => {
          if (!init.signal.aborted) this.logger.warn({ err: error }, 'CRL not fetched; will retry');
        })
        .finally(() => {
          if (!init.signal.aborted) setTimeout(poll, init.intervalMs).unref();
        });
    };
    poll();
  }

  /**
   * Follows the NATS revocation stream (history first, then live) until the signal aborts; if the
   * stream fails (missing, JetStream hiccup) it retries with backoff, the CRL covering the gap.
   */
  follow(bus: Bus, overlay: string, signal: AbortSignal): void {
    void (async () => {
      for (let attempt = 1; !signal.aborted; attempt++) {
        try {
          this.logger.info({ overlay }, 'following revocations on NATS');
          for await (const event of revocationEvents(bus, overlay, { signal })) this.add(event.serialNumber);
        } catch (error) {
          if (signal.aborted) return;
          this.logger.warn(
            { err: error, attempt },
            'revocation stream failed; retrying (the CRL still applies)',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1000 * attempt)).unref());
      }
    })();
  }
}
