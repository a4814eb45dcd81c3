import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';

export interface BusInit {
  /** `nats://host:port` (several separated by commas). */
  readonly url: string;
  /** Connection name shown by the server's monitoring (app and instance). */
  readonly name: string;
  /** @default 5 s */
  readonly connectTimeoutMs?: number;
}

/** One NATS connection of a service, with JetStream handles made on first use. */
export interface Bus {
  readonly connection: NatsConnection;
  jetstream(): JetStreamClient;
  jetstreamManager(): Promise<JetStreamManager>;
  /** Flushes pending publishes, then closes. */
  close(): Promise<void>;
}

/**
 * Connects to the control plane. Reconnects forever once connected (NATS is plumbing: a service
 * keeps working through an outage and catches up), but the first connect fails fast.
 */
export async function connectBus(init: BusInit): Promise<Bus> {
  const connection = await connect({
    servers: init.url.split(',').map((server) => server.trim()),
    name: init.name,
    timeout: init.connectTimeoutMs ?? 5000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  });
  let client: JetStreamClient | undefined;
  let manager: Promise<JetStreamManager> | undefined;
  return {
    connection,
    jetstream: () => (client ??= jetstream(connection)),
    jetstreamManager: () => (manager ??= jetstreamManager(connection)),
    close: async () => {
      if (connection.isClosed()) return;
      // drain() fails (and keeps reconnecting) while the server is down; a service stopping on
      // SIGTERM must not wait for NATS to come back, so fall back to an immediate close.
      const drained = await Promise.race([
        connection.drain().then(
          () => true,
          () => false,
        ),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
      ]);
      if (!drained && !connection.isClosed()) await connection.close();
    },
  };
}
