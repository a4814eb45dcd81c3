import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { type Bus, connectBus } from '@p2psip/bus';
import { fetchConfigurationWithRetries, obtainIdentity } from '@p2psip/enrollment-client';
import { idToHex } from '@p2psip/identity';
import { relayV1 } from '@p2psip/proto';
import { bindService, startRpcServer } from '@p2psip/rpc';
import { type Logger, createMetricsRegistry, startOpsServer } from '@p2psip/telemetry';
import { Counter, Gauge } from 'prom-client';
import { ManagedCoturn } from './coturn/managed-coturn';
import type { RelayServiceConfig } from './config';
import { RelayConfigError } from './errors';
import { relayDiscoveryHandlers } from './grpc/relay-discovery-service';
import { HealthChecker } from './inventory/health-checker';
import { type HealthChange, RelayInventory } from './inventory/relay-inventory';
import { publishRelayHealth, relayHealthEvent } from './nats/health-events';
import { OverlayAdvertising } from './overlay/overlay-advertising';

export interface RunningRelay {
  readonly grpc: string;
  readonly metrics: string;
  readonly nodeId: string;
  readonly coturnPid?: number;
  stop(): Promise<void>;
}

/** The composition root of `p2psip-relay serve`. */
export async function serveRelay(config: RelayServiceConfig, logger: Logger): Promise<RunningRelay> {
  const shutdown = new AbortController();
  const stops: (() => Promise<void> | void)[] = [() => shutdown.abort()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse())
      await Promise.resolve(stop()).catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
  };
  try {
    const caPem = await readFile(config.caFile, 'utf8');
    const { configuration: overlay } = await fetchConfigurationWithRetries({
      url: config.configUrl,
      caPem,
      signal: shutdown.signal,
      onRetry: (error, attempt) =>
        logger.warn({ err: (error as Error).message, attempt }, 'configuration not available yet'),
    });
    const identity = await obtainIdentity({
      dir: config.identityDir,
      caPem,
      enrollmentUrl: overlay.enrollmentServers[0],
      ...(config.userName ? { userName: config.userName } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      signal: shutdown.signal,
    });
    const nodeId = identity.certificate.nodeIds[0];
    if (nodeId === undefined)
      throw new RelayConfigError('NO_NODE_ID', `${config.identityDir}: certificate holds no Node-ID`);
    logger.info(
      { enrolled: identity.enrolled, user: identity.certificate.userName, nodeId: idToHex(nodeId) },
      'identity ready',
    );
    const realm = config.realm ?? overlay.instanceName;

    const endpoints = [...config.relays];
    let coturn: ManagedCoturn | undefined;
    // Set once the inventory exists; coturn starts before it (its address joins the inventory).
    let onCoturnExit: (why: string) => void = () => undefined;
    if (config.managedCoturn) {
      coturn = new ManagedCoturn(
        { logger: logger.child({ component: 'coturn' }), onExit: (why) => onCoturnExit(why) },
        { ...config.managedCoturn, secret: config.secret, realm },
      );
      await coturn.start();
      const managed = coturn;
      stops.push(() => managed.stop());
      if (endpoints.some((endpoint) => endpoint.address === managed.endpoint.address))
        throw new RelayConfigError(
          'DUPLICATE_RELAY',
          `--turn ${managed.endpoint.address} is the managed coturn`,
        );
      endpoints.unshift(managed.endpoint);
    }
    const inventory = new RelayInventory(endpoints);

    const metrics = createMetricsRegistry();
    const checkCounter = new Counter({
      name: 'p2psip_relay_checks_total',
      help: 'Health checks of TURN servers by outcome',
      labelNames: ['relay', 'outcome'],
      registers: [metrics],
    });
    new Gauge({
      name: 'p2psip_relay_healthy_relays',
      help: 'TURN servers handed to clients (healthy or degraded)',
      registers: [metrics],
      collect() {
        this.set(inventory.rank().length);
      },
    });

    let bus: Bus | undefined;
    if (config.natsUrl) {
      bus = await connectBus({ url: config.natsUrl, name: `p2psip-relay ${overlay.instanceName}` });
      const connected = bus;
      stops.push(() => connected.close());
    }
    const advertising = config.advertise.enabled
      ? new OverlayAdvertising(
          {
            identity,
            overlay,
            inventory,
            logger,
            signal: shutdown.signal,
          },
          {
            ...(config.advertise.peer ? { peer: config.advertise.peer } : {}),
            ...(config.advertise.bootstrap ? { bootstrap: config.advertise.bootstrap } : {}),
            turnDensity: config.advertise.turnDensity ?? Math.max(1, overlay.turnDensity),
            lifetimeS: config.advertise.lifetimeS,
            redirLifetimeS: config.advertise.redirLifetimeS,
            endpoints,
            ...(coturn ? { managed: coturn.endpoint.address } : {}),
          },
        )
      : undefined;

    const onChange = (change: HealthChange): void => {
      const event = relayHealthEvent(change, idToHex(nodeId));
      logger.info(event, 'relay health changed');
      if (bus) publishRelayHealth(bus, overlay.instanceName, event);
      advertising?.healthChanged(change);
    };
    // The supervisor sees coturn die before any check can: withdraw it now, not two checks later.
    const managedAddress = coturn?.endpoint.address;
    if (managedAddress !== undefined) {
      onCoturnExit = (why) => {
        const change = inventory.markDown(managedAddress, { error: why, nowMs: Date.now() });
        if (change) onChange(change);
      };
    }
    // Checks stop before the advertising does, so that none re-advertises what is being withdrawn.
    const checks = new AbortController();
    const stopChecks = (): void => checks.abort();
    shutdown.signal.addEventListener('abort', stopChecks, { once: true });
    if (advertising)
      stops.push(async () => {
        stopChecks();
        await advertising.stop();
      });
    const checker = new HealthChecker(
      {
        inventory,
        secret: config.secret,
        ...(coturn || config.cliPassword !== undefined
          ? { cliPassword: coturn ? coturn.cliPassword : config.cliPassword }
          : {}),
        logger: logger.child({ component: 'health' }),
        onChange,
        onChecked: (endpoint, ok) =>
          checkCounter.inc({ relay: endpoint.address, outcome: ok ? 'ok' : 'failed' }),
        signal: checks.signal,
      },
      { intervalMs: config.checkIntervalMs },
    );
    // Managed and external coturns may use different CLI passwords: the managed one's is ours.
    if (coturn && config.cliPassword !== undefined)
      logger.warn(
        '--turn-cli-password-file is ignored while --manage-coturn is on (its CLI password is generated)',
      );
    await checker.checkAll();
    checker.scheduleChecks();
    advertising?.scheduleRefresh();

    const server = await startRpcServer({
      tls: identity,
      host: config.host,
      port: config.grpcPort,
      logger: logger.child({ component: 'grpc' }),
      metrics,
      services: [
        bindService(
          relayV1.RelayDiscoveryServiceService,
          relayDiscoveryHandlers({
            inventory,
            secret: config.secret,
            realm,
            defaultCount: 3,
            defaultCredentialTtlMs: config.credentialTtlMs,
            maxCredentialTtlMs: config.maxCredentialTtlMs,
            now: Date.now,
          }),
        ),
      ],
    });
    stops.push(() => server.stop());
    const ops = await startOpsServer({
      registry: metrics,
      health: { ready: () => true },
      logger,
      host: config.host,
      port: config.metricsPort,
    });
    stops.push(() => ops.stop());
    logger.info(
      {
        grpc: server.address,
        metrics: ops.address,
        overlay: overlay.instanceName,
        nodeId: idToHex(nodeId),
        relays: endpoints.map((endpoint) => endpoint.address),
        ...(coturn?.pid === undefined
          ? {}
          : { coturnPid: coturn.pid, coturnDir: path.resolve(config.managedCoturn?.dir ?? '') }),
      },
      'ready',
    );
    return {
      grpc: server.address,
      metrics: ops.address,
      nodeId: idToHex(nodeId),
      ...(coturn?.pid === undefined ? {} : { coturnPid: coturn.pid }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
