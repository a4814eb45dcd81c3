import { DeliverPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { Bus } from './bus';
import { type CertIssuedEvent, type CertRevokedEvent, decodeEvent, encodeEvent } from './events';
import { overlaySubjects, revocationStreamName } from './subjects';

const DAY_NS = 24 * 60 * 60 * 1e9;

/**
 * Makes sure the durable revocation stream of an overlay exists. Revocations are kept for as long
 * as certificates live (400 days), so a peer that starts later still learns every revocation that
 * matters; the message id (the serial) lets JetStream drop duplicates of a retried publish.
 */
export async function ensureRevocationStream(bus: Bus, overlay: string): Promise<void> {
  const manager = await bus.jetstreamManager();
  const name = revocationStreamName(overlay);
  const config = {
    name,
    subjects: [overlaySubjects(overlay).certRevoked],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: 400 * DAY_NS,
    duplicate_window: 2 * 60 * 1e9,
  };
  try {
    await manager.streams.info(name);
    await manager.streams.update(name, config);
  } catch {
    await manager.streams.add(config);
  }
}

/** Announces an issued certificate (plain NATS: only listeners that are up care). */
export function publishCertIssued(bus: Bus, overlay: string, event: CertIssuedEvent): void {
  bus.connection.publish(overlaySubjects(overlay).certIssued, encodeEvent(event));
}

/** Stores a revocation in the durable stream (which also delivers it to plain subscribers). */
export async function publishCertRevoked(bus: Bus, overlay: string, event: CertRevokedEvent): Promise<void> {
  await bus.jetstream().publish(overlaySubjects(overlay).certRevoked, encodeEvent(event), {
    msgID: `revoked-${event.serialNumber}`,
  });
}

/**
 * Every revocation of the overlay, oldest first, then new ones as they come, until the signal
 * aborts or the consumer stops iterating. `get` with options makes an ephemeral ordered consumer: nothing to clean up
 * on the server, and a restart simply replays the (small) stream.
 */
export async function* revocationEvents(
  bus: Bus,
  overlay: string,
  options: { readonly signal?: AbortSignal } = {},
): AsyncGenerator<CertRevokedEvent> {
  const consumer = await bus.jetstream().consumers.get(revocationStreamName(overlay), {
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume();
  const stop = (): void => void messages.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const message of messages) {
      const event = decodeEvent<CertRevokedEvent>(message.data);
      if (event && typeof event.serialNumber === 'string') yield event;
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await messages.close();
  }
}
