import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Bus, connectBus, publishPeerAnnouncement, publishPeerDeparture } from '@p2psip/bus';
import { fetchConfigurationWithRetries, obtainIdentity } from '@p2psip/enrollment-client';
import { idToHex, parseCertificate } from '@p2psip/identity';
import { type BootstrapContact, toBootstrapContact } from '@p2psip/overlay';
import {
  LinkTrunks,
  STORAGE_BODY_MAPPERS,
  createMessageSecurity,
  countingCodec,
  createProtobufCodec,
} from '@p2psip/overlay-grpc';
import { LmdbValueEnvironment, openValueStore } from '@p2psip/persistence';
import { virtualPeerHealthService } from '@p2psip/rpc';
import { KindRegistry, VerifiedSignatures, createCertificateTrust } from '@p2psip/storage';
import { type Logger, createMetricsRegistry, startOpsServer } from '@p2psip/telemetry';
import { Counter, Gauge } from 'prom-client';
import { BootstrapClient } from './bootstrap-client';
import { ThinClientLink } from './clients/thin-client-link';
import { publishCertificates } from './certificate-publishing';
import { KnownPeers } from './known-peers';
import { refuseRunningIdentity } from './node-id-in-use';
import { startMemoryRelease } from './memory-release';
import { exportMessageTally } from './message-metrics';
import { requestMetrics } from './request-metrics';
import { Revocations } from './revocations';
import { VirtualPeer } from './virtual-peer';

export interface PeerOptions {
  readonly configUrl: string;
  readonly caFile: string;
  readonly identityDir: string;
  readonly stateDir: string;
  readonly userName?: string;
  readonly password?: string;
  readonly host: string;
  /** First port; virtual peer i listens on port + i (0 = free ports). */
  readonly port: number;
  readonly count: number;
  /** This process starts a new overlay (its first virtual peer is the first node). */
  readonly first: boolean;
  /** Extra bootstrap service addresses (the configuration's bootstrap nodes come first). */
  readonly bootstrap: readonly string[];
  readonly natsUrl?: string;
  readonly metricsPort: number;
  /** Overrides the configuration's chord-update-interval, ms. */
  readonly updateIntervalMs?: number;
  /** Stored values in MongoDB (a collection per virtual peer) instead of lmdb under stateDir. */
  readonly mongodbUri?: string;
  /** Overrides the replica hold-down (30 s), ms. */
  readonly replicaHoldDownMs?: number;
}

export interface RunningPeers {
  readonly peers: readonly VirtualPeer[];
  stop(options: { graceful: boolean }): Promise<void>;
}

const ANNOUNCE_MS = 5000;
/** How long the peer listed with one of our Node-IDs may take to say whether it serves it. */
const NODE_ID_CHECK_TIMEOUT_MS = 3000;

/** The composition root of `p2psip-peer run`. */
export async function runPeers(
  options: PeerOptions,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningPeers> {
  const shutdown = new AbortController();
  // A stop requested while starting (SIGTERM during a join) aborts the start.
  signal?.addEventListener('abort', () => shutdown.abort(), { once: true });
  // What is up so far; a start that fails midway stops it rather than leaving a half-started peer.
  const started: (() => Promise<unknown> | void)[] = [() => shutdown.abort()];
  try {
    return await startPeers(options, logger, shutdown, started);
  } catch (error) {
    for (const stop of started.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    throw error;
  }
}

async function startPeers(
  options: PeerOptions,
  logger: Logger,
  shutdown: AbortController,
  started: (() => Promise<unknown> | void)[],
): Promise<RunningPeers> {
  const caPem = await readFile(options.caFile, 'utf8');
  const fetched = await fetchConfigurationWithRetries({
    url: options.configUrl,
    caPem,
    signal: shutdown.signal,
    maxAttempts: 20,
    onRetry: (error, attempt) =>
      logger.warn({ err: error, attempt }, 'configuration not available yet; retrying'),
  });
  const { configuration } = fetched;
  const overlay = configuration.instanceName;
  const identity = await obtainIdentity({
    dir: options.identityDir,
    caPem,
    enrollmentUrl: configuration.enrollmentServers[0],
    nodeIdCount: options.count,
    ...(options.userName ? { userName: options.userName } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    signal: shutdown.signal,
  });
  const nodeIds = identity.certificate.nodeIds.slice(0, options.count);
  if (nodeIds.length < options.count) {
    throw new Error(
      `the certificate in ${options.identityDir} holds ${nodeIds.length} Node-IDs; --count ${options.count} needs as many (does the user's max-node-ids allow it?)`,
    );
  }
  const agreement = { overlay, configurationSequence: () => configuration.sequence };
  // Every request and answer this process originates is signed with its certificate's key (RFC
  // 6940 §6.3.4); destinations check the signature against the originator's Node-ID.
  const { codec, tally } = countingCodec(
    createProtobufCodec({
      agreement,
      extraMappers: STORAGE_BODY_MAPPERS,
      signer: { certificateDer: identity.certificate.der, privateKey: identity.keyPem },
    }),
  );
  const metrics = createMetricsRegistry();
  const requests = requestMetrics(metrics);
  const revocations = new Revocations(logger);
  const crlUrl = configuration.enrollmentServers[0]?.replace(/\/enroll$/, '/crl');
  if (crlUrl) revocations.scheduleCrlPolling({ crlUrl, caPem, intervalMs: 60_000, signal: shutdown.signal });
  const bus: Bus | undefined = options.natsUrl
    ? await connectBus({ url: options.natsUrl, name: `p2psip-peer ${overlay}` })
    : undefined;
  if (bus) started.push(() => bus.close());
  if (bus) revocations.follow(bus, overlay, shutdown.signal);

  const bootstrapAddresses = [
    ...configuration.bootstrapNodes.map((node) => `${node.address}:${node.port}`),
    ...options.bootstrap,
  ];
  const bootstrap = new BootstrapClient(bootstrapAddresses, identity, logger);
  started.push(() => bootstrap.close());
  const knownPeers = new KnownPeers(path.join(options.stateDir, 'known-peers.json'));
  const settings = {
    updateIntervalMs: options.updateIntervalMs ?? configuration.chordUpdateIntervalS * 1000,
    reactive: configuration.chordReactive,
    initialTtl: configuration.initialTtl,
  };
  const kinds = new KindRegistry(configuration.kinds, {
    redirBranchingFactor: configuration.redirBranchingFactor,
  });
  const trust = createCertificateTrust({
    caCertificateDer: parseCertificate(caPem).der,
    overlay,
    isRevoked: (certificate) => revocations.isRevoked(certificate),
  });
  const security = createMessageSecurity({ trust });
  // A replica in the responsible peer's process need not check a value that peer just checked.
  const verifiedValues = new VerifiedSignatures();
  const storageSettings =
    options.replicaHoldDownMs !== undefined ? { replicaHoldDownMs: options.replicaHoldDownMs } : undefined;
  // Largest message accepted on a link: the configuration's max-message-size, with slack for framing.
  const maxMessageBytes = Math.max(64 * 1024, 4 * configuration.maxMessageSize);
  // Every link between this process and another rides one trunk (ADR 0003 §8).
  const trunks = new LinkTrunks({
    identity,
    agreement,
    codec,
    maxMessageBytes,
    isRevoked: (certificate) => revocations.isRevoked(certificate),
  });
  started.push(() => trunks.stop());
  // Before any endpoint serves: a revocation learned from now on closes that certificate's trunks,
  // and so every peer link to it (DESIGN.md §4: not only new ones).
  revocations.onRevoked((serialNumber) => {
    const closed = trunks.closeTrunksOf(serialNumber);
    if (closed > 0)
      logger.warn({ serialNumber, trunks: closed }, 'closed the trunks of a revoked certificate');
  });
  const peers: VirtualPeer[] = [];
  started.push(() => Promise.all(peers.map((peer) => peer.stop({ graceful: false }))));
  // One lmdb environment for the values of all the virtual peers (ADR 0004 §8), unless MongoDB.
  const environment = options.mongodbUri
    ? undefined
    : await LmdbValueEnvironment.open({
        path: path.join(options.stateDir, 'peer-values'),
        maxStores: nodeIds.length,
      });
  if (environment) started.push(() => environment.close());
  for (const [index, nodeId] of nodeIds.entries()) {
    const name = idToHex(nodeId);
    const store = await openValueStore({
      ...(options.mongodbUri ? { mongodbUri: options.mongodbUri } : {}),
      collection: `values_${name}`,
      ...(environment
        ? { shared: { environment, name, legacyPath: path.join(options.stateDir, 'values', name) } }
        : {}),
      signal: shutdown.signal,
    });
    peers.push(
      await VirtualPeer.start({
        nodeId,
        host: options.host,
        port: options.port === 0 ? 0 : options.port + index,
        identity,
        agreement,
        codec,
        trunks,
        settings,
        revocations,
        logger,
        metrics,
        requests,
        maxMessageBytes,
        storage: {
          kinds,
          trust,
          verifiedValues,
          store,
          ...(storageSettings ? { settings: storageSettings } : {}),
        },
        security,
      }),
    );
  }
  // Before our own servers say SERVING: a listing of this very process must not look like another.
  await refuseRunningIdentity(
    peers.map((peer) => ({ nodeId: peer.node.nodeId, address: peer.address })),
    bootstrap,
    identity,
    { timeoutMs: NODE_ID_CHECK_TIMEOUT_MS, signal: shutdown.signal },
  );
  // Every server of the process reports every one of its virtual peers: a bootstrap watches them
  // all over one connection (apps/bootstrap Prober).
  for (const peer of peers) {
    for (const other of peers) peer.server.setHealth(virtualPeerHealthService(other.node.nodeId), 'SERVING');
  }
  // Thin clients are attached by Connect streams of their own, not trunks: closed one by one.
  revocations.onRevoked((serialNumber) => {
    for (const peer of peers) {
      for (const link of [...peer.node.connections.values()]) {
        if (link instanceof ThinClientLink && link.remoteCertificate.serialNumber === serialNumber) {
          logger.warn(
            { nodeId: idToHex(link.remoteNodeId), serialNumber },
            'closing a thin client link to a revoked certificate',
          );
          link.close();
        }
      }
    }
  });
  new Gauge({
    name: 'p2psip_peer_joined',
    help: 'Virtual peers of this process that are part of the ring',
    registers: [metrics],
    collect() {
      this.set(peers.filter((peer) => peer.node.isJoined()).length);
    },
  });

  new Gauge({
    name: 'p2psip_peer_trunks',
    help: 'Open link trunks of this process (one stream carries all links to another peer process)',
    registers: [metrics],
    collect() {
      this.set(trunks.trunkCount);
    },
  });

  exportMessageTally(tally, metrics);

  let rememberedReported = 0;
  new Counter({
    name: 'p2psip_peer_value_signatures_remembered_total',
    help: 'Value signature checks answered from this process’s memo of signatures it already verified',
    registers: [metrics],
    collect() {
      this.inc(verifiedValues.hits - rememberedReported);
      rememberedReported = verifiedValues.hits;
    },
  });

  new Gauge({
    name: 'p2psip_peer_attached_clients',
    help: 'Thin clients attached to the virtual peers of this process (open Connect streams)',
    registers: [metrics],
    collect() {
      let clients = 0;
      for (const peer of peers) {
        for (const link of peer.node.connections.values()) if (link instanceof ThinClientLink) clients++;
      }
      this.set(clients);
    },
  });

  await joinAll(peers, {
    first: options.first,
    bootstrap,
    knownPeers,
    logger,
    signal: shutdown.signal,
  });
  const publishing = publishCertificates(
    peers.map((peer) => ({ nodeId: peer.node.nodeId, storage: peer.storage })),
    identity,
    logger,
    shutdown.signal,
  );
  const own = new Set(peers.map((peer) => peer.address));
  const [firstPeer] = peers;
  if (!firstPeer) throw new Error('--count must be at least 1');
  await knownPeers
    .save([...addressesOf(await bootstrap.admittingPeers(firstPeer.node.nodeId, 10)), ...own], new Set())
    .catch(() => undefined);

  const advertise = async (): Promise<void> => {
    for (const peer of peers) {
      const uptimeS = Math.floor((Date.now() - peer.startedAtMs) / 1000);
      if (bus)
        publishPeerAnnouncement(bus, overlay, {
          nodeId: idToHex(peer.node.nodeId),
          address: peer.address,
          uptimeS,
        });
      await bootstrap.register(peer.node.nodeId, peer.address, uptimeS);
    }
    const neighbours = await bootstrap.admittingPeers(firstPeer.node.nodeId, 10);
    await knownPeers.save(addressesOf(neighbours), own).catch(() => undefined);
  };
  await advertise();
  const stopMemoryRelease = startMemoryRelease(logger);
  started.push(stopMemoryRelease);
  // Rounds are chained, never overlapping; stop() waits for the one in flight.
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const scheduleAdvertising = (): void => {
    timer = setTimeout(() => {
      round = advertise()
        .catch((error: unknown) => logger.warn({ err: error }, 'advertising failed'))
        .finally(() => {
          if (!shutdown.signal.aborted) scheduleAdvertising();
        });
    }, ANNOUNCE_MS);
  };
  scheduleAdvertising();

  const ops = await startOpsServer({
    registry: metrics,
    health: { ready: () => peers.every((peer) => peer.node.isJoined()) },
    logger,
    host: options.host,
    port: options.metricsPort,
  });
  started.push(() => ops.stop());
  logger.info(
    {
      overlay,
      metrics: ops.address,
      peers: peers.map((peer) => ({ nodeId: idToHex(peer.node.nodeId), address: peer.address })),
    },
    'ready',
  );

  return {
    peers,
    stop: async ({ graceful }) => {
      shutdown.abort();
      clearTimeout(timer);
      stopMemoryRelease();
      await round;
      await publishing;
      for (const peer of [...peers].reverse()) {
        await bootstrap.unregister(peer.node.nodeId);
        if (bus) publishPeerDeparture(bus, overlay, { nodeId: idToHex(peer.node.nodeId) });
        const service = virtualPeerHealthService(peer.node.nodeId);
        for (const other of peers) other.server.setHealth(service, 'NOT_SERVING');
        await peer.leave({ graceful });
      }
      // The endpoints last: a trunk that came in through one carries the others' links too.
      trunks.stop();
      for (const peer of peers) await peer.close();
      bootstrap.close();
      await bus?.close();
      await ops.stop();
    },
  };
}

/**
 * Joins the virtual peers one after another: the first forms the overlay (with --first) or joins
 * through the admitting peers the bootstrap services name, falling back to the peers cached on
 * disk; the others join through the peers of this process that are already in.
 */
async function joinAll(
  peers: readonly VirtualPeer[],
  context: {
    first: boolean;
    bootstrap: BootstrapClient;
    knownPeers: KnownPeers;
    logger: Logger;
    signal: AbortSignal;
  },
): Promise<void> {
  const joined: string[] = [];
  for (const [index, peer] of peers.entries()) {
    if (index === 0 && context.first) {
      await peer.node.start({ first: true });
    } else {
      await joinWithRetries(peer, joined, context);
    }
    joined.push(peer.address);
  }
}

/**
 * Bootstrap contacts in order, one per address; a Node-ID the bootstrap service named lets the
 * join reuse a trunk to that peer's process instead of dialling the address anew.
 */
function uniqueContacts(contacts: readonly BootstrapContact[]): BootstrapContact[] {
  const byAddress = new Map<string, BootstrapContact>();
  for (const contact of contacts)
    if (!byAddress.has(contact.address)) byAddress.set(contact.address, contact);
  return [...byAddress.values()];
}

function addressesOf(contacts: readonly BootstrapContact[]): string[] {
  return contacts.map((contact) => contact.address);
}

async function joinWithRetries(
  peer: VirtualPeer,
  local: readonly string[],
  context: { bootstrap: BootstrapClient; knownPeers: KnownPeers; logger: Logger; signal: AbortSignal },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const admitting = await context.bootstrap.admittingPeers(peer.node.nodeId, 3, context.signal);
    const cached = admitting.length === 0 ? await context.knownPeers.load() : [];
    // Never itself (defence in depth: a stale cache or listing may name its address or Node-ID).
    const candidates = uniqueContacts(
      [...admitting, ...local.slice(-2), ...cached]
        .map(toBootstrapContact)
        .filter((contact) => contact.address !== peer.address && contact.nodeId !== peer.node.nodeId),
    );
    if (candidates.length > 0) {
      try {
        await peer.node.start({ bootstrap: candidates, signal: context.signal });
        return;
      } catch (error) {
        context.logger.warn(
          { err: error, attempt, nodeId: idToHex(peer.node.nodeId) },
          'join failed; retrying',
        );
        await peer.renewNode();
      }
    } else {
      context.logger.info({ attempt }, 'no peer to join through yet (is the first peer up?); retrying');
    }
    if (context.signal.aborted) throw new Error('stopped before joining');
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * attempt)));
  }
}
