import type { CertificateRecord } from '@p2psip/ca';
import {
  type Bus,
  connectBus,
  ensureRevocationStream,
  publishCertIssued,
  publishCertRevoked,
} from '@p2psip/bus';
import type { Logger } from '@p2psip/telemetry';

/** Where the CA's `issued`/`revoked` events go: NATS when configured, nowhere otherwise. */
export interface CertificateEvents {
  issued(record: CertificateRecord): void;
  revoked(record: CertificateRecord): void;
  close(): Promise<void>;
}

const RETRY_MS = 5000;

/**
 * Connects the CA to the control plane. Without a NATS URL it says once that events are off.
 * A revocation that cannot be published (NATS down) is retried until it is: peers that rely on
 * the stream must eventually learn every revocation (they also have the CRL).
 */
export async function openCertificateEvents(init: {
  natsUrl?: string;
  overlay: string;
  logger: Logger;
}): Promise<CertificateEvents> {
  const { overlay, logger } = init;
  if (!init.natsUrl) {
    logger.info('no --nats-url: certificate events are off (peers learn revocations from the CRL)');
    return { issued: () => undefined, revoked: () => undefined, close: () => Promise.resolve() };
  }
  const bus: Bus = await connectBus({ url: init.natsUrl, name: `p2psip-enrollment ${overlay}` });
  await ensureRevocationStream(bus, overlay);
  logger.info({ nats: init.natsUrl }, 'publishing certificate events on NATS');
  const pending = new Map<string, CertificateRecord>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let closed = false;

  // One flush at a time; a failure schedules one retry, never after close.
  const flush = (): Promise<void> => (flushing ??= publishPending().finally(() => (flushing = undefined)));
  const publishPending = async (): Promise<void> => {
    for (const record of [...pending.values()]) {
      try {
        await publishCertRevoked(bus, overlay, {
          serialNumber: record.serialNumber,
          userName: record.userName,
          nodeIds: record.nodeIds,
          revokedAtMs: record.revokedAtMs ?? Date.now(),
          reason: record.revocationReason ?? 'unspecified',
          notAfterMs: record.notAfterMs,
        });
        pending.delete(record.serialNumber);
      } catch (error) {
        logger.warn({ err: error, serial: record.serialNumber }, 'revocation not yet published; retrying');
        if (!closed && !timer) timer = setTimeout(() => ((timer = undefined), void flush()), RETRY_MS);
        return;
      }
    }
  };

  return {
    issued: (record) =>
      publishCertIssued(bus, overlay, {
        serialNumber: record.serialNumber,
        userName: record.userName,
        nodeIds: record.nodeIds,
        issuedAtMs: record.issuedAtMs,
        notAfterMs: record.notAfterMs,
      }),
    revoked: (record) => {
      pending.set(record.serialNumber, record);
      void flush();
    },
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      if (pending.size > 0) await flush();
      await bus.close();
    },
  };
}
