import type { Command } from 'commander';
import { UsageError, integerArgument, portArgument, printResult } from '@p2psip/cli';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  type EdgeOverlay,
  type ListenSpec,
  type OverlaySession,
  SipEdge,
  parseListenSpec,
  storeThroughSession,
} from '@p2psip/client-sdk';
import { type StoredIdentity, readIdentity } from '@p2psip/enrollment-client';
import { type NodeId, idToBytes, idToHex, resourceIdOf, resourceIdOfName } from '@p2psip/identity';
import { SIP_REGISTRATION_KIND_ID, encodeSipRegistration } from '@p2psip/sip-usage';
import { signValue } from '@p2psip/storage';
import { createLogger, startOpsServer } from '@p2psip/telemetry';
import { openSession, reachAor } from '../sip/calling';
import { EdgeMetrics } from './edge-metrics';
import { type EdgeUser, readUsersFile } from './users-file';

interface EdgeOptions {
  identity: string;
  users: string;
  domain: string;
  listen: string[];
  peer?: string;
  bootstrap?: string;
  timeoutMs: number;
  metricsPort: number;
  json?: boolean;
}

/** `p2psip sip-edge`: a registrar and proxy for unmodified SIP phones (DESIGN.md §6). */
export function addSipEdgeCommand(program: Command): void {
  program
    .command('sip-edge')
    .description(
      'run a SIP registrar and proxy for standard SIP phones: their REGISTERs become overlay ' +
        'registrations, their calls and messages travel through the overlay',
    )
    .requiredOption(
      '--identity <dir>',
      'the edge’s own enrolled identity (it attaches and answers AppAttach)',
    )
    .requiredOption('--users <file>', 'one phone user per line: <user@domain> <password> <identity-dir>')
    .requiredOption('--domain <domain>', 'the SIP domain (Digest realm), e.g. p2psip.test')
    .option(
      '--listen <transport:host:port>',
      'where phones reach the edge (repeatable): udp:127.0.0.1:5060, tcp:127.0.0.1:5060',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--peer <host:port>', 'the peer to attach to')
    .option(
      '--bootstrap <host:port>',
      'a bootstrap service that names peers to attach to (and to fail over to)',
    )
    .option('--timeout-ms <ms>', 'deadline of each overlay step', integerArgument(1), 5000)
    .option(
      '--metrics-port <port>',
      'Prometheus /metrics, /healthz and /readyz (ready while attached) on 127.0.0.1 (0 = any free port)',
      portArgument,
      0,
    )
    .option('--json', 'print one JSON object per event and line')
    .action((options: EdgeOptions) => runEdge(options));
}

async function runEdge(options: EdgeOptions): Promise<void> {
  const listen = listenSpecs(options.listen);
  if (!options.peer && !options.bootstrap)
    throw new UsageError('give --peer <host:port> or --bootstrap <host:port>');
  const domain = options.domain.trim().toLowerCase();
  const users = await readUsersFile(options.users);
  for (const user of users.values()) {
    if (!user.aor.endsWith(`@${domain}`)) throw new UsageError(`${user.aor} is not in --domain ${domain}`);
  }
  const identity = await identityAt(options.identity);
  const emit = (event: { readonly event: string; readonly [field: string]: unknown }): void =>
    printResult(event, options, (e) => `${e.event} ${JSON.stringify({ ...e, event: undefined })}`);
  const session = await openSession(identity, options);
  const metrics = new EdgeMetrics();
  const overlay = new OverlayRegistrations(session, identity, users, options, metrics);
  const edge = new SipEdge({
    domain,
    passwords: new Map([...users.values()].map((u) => [u.aor, u.password])),
    nodeHex: idToHex(session.nodeId),
    identity,
    overlay,
    listen,
  });
  await edge.start();
  edge.answerAppAttachOf(session);
  const ops = await startOpsServer({
    registry: metrics.registry,
    health: { ready: () => session.attached },
    // Standard output carries the edge's events; the ops server's own failures go to stderr.
    logger: createLogger({ name: 'p2psip sip-edge', level: 'warn', destination: process.stderr }),
    port: options.metricsPort,
  });
  edge.on('event', (event) => {
    metrics.countEvent(event.event);
    emit(event);
  });
  session.on('detached', (peer) => emit({ event: 'detached', peer: idToHex(peer) }));
  session.on('attached', (attachment) => {
    emit({ event: 'reattached', peer: idToHex(attachment.peerNodeId) });
    // Every AOR with phones here now needs a route through the new attachment peer.
    edge.restoreRegistrations();
  });
  emit({
    event: 'edge-ready',
    listen: [...edge.listening],
    tls: edge.tlsAddress,
    metrics: ops.address,
    nodeId: idToHex(session.nodeId),
    peer: idToHex(session.attachment.peerNodeId),
    users: users.size,
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  emit({ event: 'stopping', malformed: edge.malformed });
  await edge.close();
  await session.close();
  await ops.stop();
}

/**
 * Overlay registrations on behalf of phone users: each AOR's SIP-REGISTRATION is signed with that
 * user's own key and keyed by the user's Node-ID (USER-NODE-MATCH), with the route [edge's
 * attachment peer, edge] so that AppAttach reaches this edge; the edge sends the Store itself
 * through its Connect stream (one connection for every user).
 */
class OverlayRegistrations implements EdgeOverlay {
  private readonly signers = new Map<string, Promise<UserSigner>>();
  /** storage_time of each AOR's last store: the next must be newer (equal is too old). */
  private readonly lastStorageTimeMs = new Map<string, bigint>();

  constructor(
    private readonly session: OverlaySession,
    private readonly edgeIdentity: StoredIdentity,
    private readonly users: ReadonlyMap<string, EdgeUser>,
    private readonly options: EdgeOptions,
    private readonly metrics: EdgeMetrics,
  ) {}

  register(aor: string, expiresS: number): Promise<void> {
    const route = encodeSipRegistration({
      type: 'route',
      contactPrefs: '',
      destinations: [
        { kind: 'node', id: this.session.attachment.peerNodeId },
        { kind: 'node', id: this.session.nodeId },
      ],
    });
    return this.metrics.timeStore('store', () => this.put(aor, route, true, Math.max(1, expiresS)));
  }

  /** RFC 7904 §4.2: exists = false for the user's key. */
  unregister(aor: string): Promise<void> {
    return this.metrics.timeStore('withdraw', () => this.put(aor, new Uint8Array(0), false, 60));
  }

  reach(aor: string) {
    return reachAor(this.session, this.edgeIdentity, aor, this.options.timeoutMs);
  }

  private async put(aor: string, value: Uint8Array, exists: boolean, lifetimeS: number): Promise<void> {
    const signer = await this.signerOf(aor);
    const kind = this.session.attachment.kinds.get(SIP_REGISTRATION_KIND_ID);
    if (!kind) throw new Error('the overlay configuration has no SIP-REGISTRATION kind');
    const now = BigInt(Date.now());
    const last = this.lastStorageTimeMs.get(aor) ?? 0n;
    const storageTimeMs = now > last ? now : last + 1n;
    this.lastStorageTimeMs.set(aor, storageTimeMs);
    const resourceId = resourceIdOfName(aor);
    const signed = signValue(
      {
        resourceId,
        kind: kind.id,
        item: { model: 'DICTIONARY', key: idToBytes(signer.nodeId), exists, value },
        storageTimeMs,
        lifetimeS,
      },
      { certificateDer: signer.certificateDer, privateKey: signer.key },
    );
    await storeThroughSession(
      this.session,
      resourceId,
      [{ kind: kind.id, generation: 0n, values: [signed] }],
      {
        signal: AbortSignal.timeout(this.options.timeoutMs),
      },
    );
  }

  /** The user's key, certificate and Node-ID, read once from the identity dir the users file names. */
  private signerOf(aor: string): Promise<UserSigner> {
    const user = this.users.get(aor);
    if (!user) return Promise.reject(new Error(`${aor} is not in the users file`));
    let pending = this.signers.get(aor);
    if (!pending) {
      pending = identityAt(user.identityDir).then((identity) => {
        const nodeId = identity.certificate.nodeIds[0];
        if (nodeId === undefined) throw new Error(`${user.identityDir} holds no Node-ID`);
        if (resourceIdOf(identity.certificate.userName ?? '') !== resourceIdOfName(aor)) {
          throw new Error(`${user.identityDir} is not ${aor}'s identity`);
        }
        return { nodeId, certificateDer: identity.certificate.der, key: createPrivateKey(identity.keyPem) };
      });
      pending.catch(() => this.signers.delete(aor));
      this.signers.set(aor, pending);
    }
    return pending;
  }
}

interface UserSigner {
  readonly nodeId: NodeId;
  readonly certificateDer: Uint8Array;
  readonly key: KeyObject;
}

function listenSpecs(values: readonly string[] | undefined): ListenSpec[] {
  const given = values && values.length > 0 ? values : ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'];
  try {
    return given.map(parseListenSpec);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function identityAt(dir: string): Promise<StoredIdentity> {
  const identity = await readIdentity(dir);
  if (!identity) throw new UsageError(`${dir} holds no enrolled identity (cert.pem, key.pem, ca.pem)`);
  return identity;
}
