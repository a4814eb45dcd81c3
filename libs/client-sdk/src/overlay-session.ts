import { setTimeout as sleep } from 'node:timers/promises';
import { type NodeId, type ReloadCertificate, idToBytes, idToHex, parseCertificate } from '@p2psip/identity';
import {
  type Destination,
  type MessageBody,
  type OverlayLogger,
  OverlayNode,
  type RequestHandler,
  TypedEmitter,
  silentLogger,
} from '@p2psip/overlay';
import {
  ClientFrameStream,
  GrpcLink,
  STORAGE_BODY_MAPPERS,
  createMessageSecurity,
  createProtobufCodec,
  readFirstFrame,
  systemClock,
} from '@p2psip/overlay-grpc';
import type { peerV1 } from '@p2psip/proto';
import type { TlsIdentity } from '@p2psip/rpc';
import { createCertificateTrust } from '@p2psip/storage';
import { type Attachment, type AttachInit, attach } from './attachment';

/** The client's enrolled identity, with its parsed certificate. */
export type ClientIdentity = TlsIdentity & { readonly certificate: ReloadCertificate };

export interface OverlaySessionInit extends Omit<AttachInit, 'identity'> {
  readonly identity: ClientIdentity;
  readonly logger?: OverlayLogger;
  /** First wait between re-attach attempts; doubles up to 2 s. @default 250 */
  readonly retryMs?: number;
}

export interface OverlaySessionEvents {
  /** Attached (again): the destination list others must use to reach us may have changed. */
  attached: (attachment: Attachment) => void;
  /** The stream to the attachment peer broke; a re-attach is under way. */
  detached: (peer: NodeId) => void;
}

const MAX_RETRY_MS = 2000;

/**
 * A thin client's presence in the overlay (DESIGN.md §5): an attachment peer, an open Connect
 * stream to it through which requests addressed to the client arrive, and a RELOAD node that never
 * joins (it stores nothing for others and routes nothing; everything it sends leaves through the
 * stream). When the stream breaks it re-attaches, to another peer when the bootstrap service names
 * one, and says so with `attached` so that the application re-registers.
 */
export class OverlaySession extends TypedEmitter<OverlaySessionEvents> {
  readonly node: OverlayNode;
  private current: Attachment;
  private readonly lifetime = new AbortController();

  private constructor(
    private readonly init: OverlaySessionInit,
    first: Attachment,
    node: OverlayNode,
  ) {
    super();
    this.current = first;
    this.node = node;
    node.on('linkDown', (peer) => {
      if (peer === this.current.peerNodeId && !this.lifetime.signal.aborted) void this.reattach(peer);
    });
  }

  /** Attaches, opens the Connect stream, and is ready to send and receive overlay requests. */
  static async open(init: OverlaySessionInit): Promise<OverlaySession> {
    const attachment = await attach(init);
    const node = new OverlayNode(
      {
        clock: systemClock,
        transport: noOutgoingLinks,
        logger: init.logger ?? silentLogger,
        security: createMessageSecurity({
          trust: createCertificateTrust({
            caCertificateDer: parseCertificate(init.identity.caPem).der,
            overlay: attachment.overlay,
            isRevoked: () => false,
          }),
        }),
      },
      { nodeId: init.nodeId },
    );
    try {
      await openStream(init, attachment, node);
    } catch (error) {
      attachment.close();
      await node.stop();
      throw error;
    }
    return new OverlaySession(init, attachment, node);
  }

  get attachment(): Attachment {
    return this.current;
  }

  get nodeId(): NodeId {
    return this.init.nodeId;
  }

  /** The stream to the attachment peer is up (false while re-attaching). */
  get attached(): boolean {
    return this.node.connections.has(this.current.peerNodeId);
  }

  /** Serves requests of one type addressed to this client (e.g. `app_attach_req`). */
  handle<B extends MessageBody>(type: string, handler: RequestHandler<B>): void {
    this.node.handle(type, handler);
  }

  /** Sends a request through the attachment peer; resolves with the answer. */
  request(destinations: readonly Destination[], body: MessageBody, options: { signal?: AbortSignal } = {}) {
    return this.node.request(destinations, body, options);
  }

  async close(): Promise<void> {
    this.lifetime.abort();
    await this.node.stop();
    this.current.close();
  }

  private async reattach(lost: NodeId): Promise<void> {
    this.emit('detached', lost);
    this.current.close();
    let waitMs = this.init.retryMs ?? 250;
    const signal = this.lifetime.signal;
    while (!signal.aborted) {
      try {
        const next = await attach({ ...this.init, signal });
        try {
          await openStream(this.init, next, this.node);
        } catch (error) {
          next.close();
          throw error;
        }
        this.current = next;
        this.init.logger?.info({ peer: idToHex(next.peerNodeId), address: next.address }, 're-attached');
        this.emit('attached', next);
        return;
      } catch (error) {
        this.init.logger?.warn({ error: String(error), retryInMs: waitMs }, 're-attach failed');
        await sleep(waitMs, undefined, { signal }).catch(() => undefined);
        waitMs = Math.min(waitMs * 2, MAX_RETRY_MS);
      }
    }
  }

  protected override onListenerError(error: unknown, event: string): void {
    this.init.logger?.warn({ error, event }, 'session listener failed');
  }
}

/** A client dials nobody but its attachment peer; Attach requests to it get nowhere. */
const noOutgoingLinks = {
  listenAddresses: () => [],
  connect: () => Promise.reject(new Error('a thin client opens no overlay links')),
};

/** Connect: ClientHello, the peer's AttachmentInfo, then the stream is the node's only link. */
async function openStream(
  init: OverlaySessionInit,
  attachment: Attachment,
  node: OverlayNode,
): Promise<void> {
  const call = attachment.client.connect();
  const configurationSequence = attachment.configurationSequence;
  call.write({
    kind: { $case: 'hello', hello: { nodeId: idToBytes(init.nodeId), configurationSequence } },
    acceptsBatches: true,
  });
  let first: peerV1.ClientFrame;
  try {
    first = await readFirstFrame<peerV1.ClientFrame>(call, init.timeoutMs, init.signal);
  } catch (error) {
    call.cancel();
    throw new Error(`the peer at ${attachment.address} refused the client stream: ${errorText(error)}`, {
      cause: error,
    });
  }
  if (first.kind?.$case !== 'attachment') {
    call.cancel();
    throw new Error(`the peer at ${attachment.address} did not open the stream with its attachment info`);
  }
  const codec = createProtobufCodec({
    agreement: { overlay: attachment.overlay, configurationSequence: () => configurationSequence },
    // Clients send storage requests of their own too (storeThroughSession).
    extraMappers: STORAGE_BODY_MAPPERS,
    signer: { certificateDer: init.identity.certificate.der, privateKey: init.identity.keyPem },
  });
  node.accept(
    new GrpcLink(
      attachment.peerNodeId,
      attachment.address,
      true,
      new ClientFrameStream(call, first.acceptsBatches),
      codec,
      { authenticatesRemote: attachment.peerAuthenticated },
    ),
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
