import type { Command } from 'commander';
import { UsageError, integerArgument, printResult } from '@p2psip/cli';
import { type EdgeOverlay, type ListenSpec, SipEdge, parseListenSpec } from '@p2psip/client-sdk';
import { type StoredIdentity, readIdentity } from '@p2psip/enrollment-client';
import { idToHex } from '@p2psip/identity';
import { type Attachment, attach } from '../storage/attachment';
import { openSession, reachAor } from '../sip/calling';
import { RegistrationClient } from '../sip/registration-client';
import { type EdgeUser, readUsersFile } from './users-file';

interface EdgeOptions {
  identity: string;
  users: string;
  domain: string;
  listen: string[];
  peer?: string;
  bootstrap?: string;
  timeoutMs: number;
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
  const overlay = new OverlayRegistrations(session, identity, users, options);
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
  edge.on('event', (event) => emit(event));
  session.on('detached', (peer) => emit({ event: 'detached', peer: idToHex(peer) }));
  session.on('attached', (attachment) => {
    emit({ event: 'reattached', peer: idToHex(attachment.peerNodeId) });
    overlay.reattached();
    // Every AOR with phones here now needs a route through the new attachment peer.
    for (const aor of edge.registeredAors()) {
      overlay
        .register(aor, edge.remainingSeconds(aor))
        .catch((error: unknown) => emit({ event: 'overlay-error', aor: `sip:${aor}`, error: String(error) }));
    }
  });
  emit({
    event: 'edge-ready',
    listen: [...edge.listening],
    tls: edge.tlsAddress,
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
  overlay.close();
  await session.close();
}

/**
 * Overlay registrations on behalf of phone users: each AOR's SIP-REGISTRATION is stored over a
 * connection authenticated with that user's own certificate (peers accept only values signed by
 * the connection's certificate), keyed by the user's Node-ID, with the route [edge's attachment
 * peer, edge] so that AppAttach reaches this edge.
 */
class OverlayRegistrations implements EdgeOverlay {
  private readonly attachments = new Map<
    string,
    Promise<{ attachment: Attachment; registrations: RegistrationClient }>
  >();

  constructor(
    private readonly session: Awaited<ReturnType<typeof openSession>>,
    private readonly edgeIdentity: StoredIdentity,
    private readonly users: ReadonlyMap<string, EdgeUser>,
    private readonly options: EdgeOptions,
  ) {}

  async register(aor: string, expiresS: number): Promise<void> {
    const { registrations } = await this.registrationsOf(aor);
    const destinations = [
      { kind: 'node' as const, id: this.session.attachment.peerNodeId },
      { kind: 'node' as const, id: this.session.nodeId },
    ];
    await registrations.register(
      aor,
      { type: 'route', contactPrefs: '', destinations },
      Math.max(1, expiresS),
    );
  }

  async unregister(aor: string): Promise<void> {
    const { registrations } = await this.registrationsOf(aor);
    await registrations.unregister(aor, 60);
  }

  reach(aor: string) {
    return reachAor(this.session, this.edgeIdentity, aor, this.options.timeoutMs);
  }

  /** The attachment peer changed: user connections go to the new one from now on. */
  reattached(): void {
    this.close();
  }

  close(): void {
    for (const pending of this.attachments.values())
      void pending.then(
        ({ attachment }) => attachment.close(),
        () => undefined,
      );
    this.attachments.clear();
  }

  private async registrationsOf(aor: string) {
    const user = this.users.get(aor);
    if (!user) throw new Error(`${aor} is not in the users file`);
    let pending = this.attachments.get(aor);
    if (!pending) {
      pending = (async () => {
        const identity = await identityAt(user.identityDir);
        const attachment = await attach(identity, {
          peer: this.session.attachment.address,
          timeoutMs: this.options.timeoutMs,
        });
        // One client per AOR: it keeps storage_time increasing across refreshes (equal is too old).
        return {
          attachment,
          registrations: new RegistrationClient(attachment, identity, this.options.timeoutMs),
        };
      })();
      pending.catch(() => this.attachments.delete(aor));
      this.attachments.set(aor, pending);
    }
    return pending;
  }
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
