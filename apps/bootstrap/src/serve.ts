import { readFile } from 'node:fs/promises';
import { type Bus, connectBus, subscribePeerEvents } from '@p2psip/bus';
import { obtainIdentity } from '@p2psip/enrollment-client';
import { nodeIdFromHex } from '@p2psip/identity';
import { bootstrapV1 } from '@p2psip/proto';
import { bindService, clientCredentials, startRpcServer } from '@p2psip/rpc';
import { type Logger, createMetricsRegistry, startOpsServer } from '@p2psip/telemetry';
import { Gauge } from 'prom-client';
import { ConfigurationCache } from './configuration-cache';
import { bootstrapServiceHandlers } from './grpc/bootstrap-service';
import { PeerRegistry } from './registry/peer-registry';
import { Prober } from './registry/prober';

export interface BootstrapOptions {
  readonly configUrl: string;
  readonly caFile: string;
  readonly identityDir: string;
  readonly userName?: string;
  readonly password?: string;
  readonly host: string;
  readonly grpcPort: number;
  readonly metricsPort: number;
  readonly natsUrl?: string;
  readonly probeIntervalMs: number;
}

export interface RunningBootstrap {
  readonly grpc: string;
  readonly metrics: string;
  stop(): Promise<void>;
}

/** The composition root of `p2psip-bootstrap serve`. */
export async function serveBootstrap(options: BootstrapOptions, logger: Logger): Promise<RunningBootstrap> {
  const shutdown = new AbortController();
  const stops: (() => Promise<void> | void)[] = [() => shutdown.abort()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse())
      await Promise.resolve(stop()).catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
  };
  try {
    const caPem = await readFile(options.caFile, 'utf8');
    const configuration = new ConfigurationCache({ url: options.configUrl, caPem, logger });
    const { configuration: overlay } = await configuration.load(shutdown.signal);
    configuration.scheduleRefresh(shutdown.signal);
    const identity = await obtainIdentity({
      dir: options.identityDir,
      caPem,
      enrollmentUrl: overlay.enrollmentServers[0],
      ...(options.userName ? { userName: options.userName } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      signal: shutdown.signal,
    });
    logger.info({ enrolled: identity.enrolled, user: identity.certificate.userName }, 'identity ready');

    const metrics = createMetricsRegistry();
    // A peer unseen for this long is gone; registrations must be refreshed within it.
    const deadAfterMs = Math.max(10_000, 3 * options.probeIntervalMs);
    const registry = new PeerRegistry({ now: Date.now, deadAfterMs });
    new Gauge({
      name: 'p2psip_bootstrap_peers',
      help: 'Live peers known',
      registers: [metrics],
      collect() {
        this.set(registry.size);
      },
    });
    const prober = new Prober(
      {
        registry,
        credentials: (expectedNodeId) => clientCredentials(identity, { expectedNodeId }),
        logger,
        signal: shutdown.signal,
      },
      { intervalMs: options.probeIntervalMs },
    );
    prober.scheduleRounds();

    if (options.natsUrl) {
      const bus: Bus = await connectBus({
        url: options.natsUrl,
        name: `p2psip-bootstrap ${overlay.instanceName}`,
      });
      stops.push(() => bus.close());
      subscribePeerEvents(
        bus,
        overlay.instanceName,
        {
          announce: (event) => registry.announce(nodeIdFromHex(event.nodeId), event.address, event.uptimeS),
          leave: (event) => {
            if (registry.depart(nodeIdFromHex(event.nodeId))) prober.forget(nodeIdFromHex(event.nodeId));
          },
        },
        { signal: shutdown.signal },
      );
      logger.info({ nats: options.natsUrl }, 'learning peers from NATS announcements');
    } else {
      logger.info('no --nats-url: peers are learned from direct gRPC registration only');
    }

    const server = await startRpcServer({
      tls: identity,
      host: options.host,
      port: options.grpcPort,
      logger: logger.child({ component: 'grpc' }),
      metrics,
      services: [
        bindService(
          bootstrapV1.BootstrapServiceService,
          bootstrapServiceHandlers({
            registry,
            configuration,
            registrationLifetimeS: Math.ceil(deadAfterMs / 1000),
            onUnregistered: (nodeId) => prober.forget(nodeId),
          }),
        ),
      ],
    });
    stops.push(() => server.stop());
    const ops = await startOpsServer({
      registry: metrics,
      health: { ready: () => true },
      logger,
      host: options.host,
      port: options.metricsPort,
    });
    stops.push(() => ops.stop());
    logger.info({ grpc: server.address, metrics: ops.address, overlay: overlay.instanceName }, 'ready');
    return { grpc: server.address, metrics: ops.address, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
