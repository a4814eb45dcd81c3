import { type NodeId, idToHex } from '@p2psip/identity';
import { type MessageSecurity, type OverlaySettings, OverlayNode } from '@p2psip/overlay';
import type { PeerRequestMetrics } from './request-metrics';
import {
  GrpcLinkTransport,
  type LinkAgreement,
  type LinkTrunks,
  type MessageCodec,
  overlayHash,
  systemClock,
} from '@p2psip/overlay-grpc';
import { diagnosticsV1, overlayV1, peerV1 } from '@p2psip/proto';
import { type RpcServer, type TlsIdentity, bindService, startRpcServer } from '@p2psip/rpc';
import {
  type CertificateTrust,
  type KindRegistry,
  OverlayStorage,
  type StorageSettings,
  StorageRules,
  type ValueStore,
  type VerifiedSignatures,
} from '@p2psip/storage';
import type { Logger } from '@p2psip/telemetry';
import type { Registry } from 'prom-client';
import { clientAccessHandlers } from './clients/client-access-service';
import { diagnosticsHandlers } from './diagnostics-service';
import type { Revocations } from './revocations';

export interface VirtualPeerInit {
  readonly nodeId: NodeId;
  readonly host: string;
  readonly port: number;
  readonly identity: TlsIdentity;
  readonly agreement: LinkAgreement;
  readonly codec: MessageCodec;
  /** The process's overlay links, shared by its virtual peers. */
  readonly trunks: LinkTrunks;
  readonly settings: Partial<OverlaySettings>;
  readonly revocations: Revocations;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Where the node and its client streams report request latencies (one set per process). */
  readonly requests?: PeerRequestMetrics;
  /** Largest message accepted on a link, bytes (configuration max-message-size, with slack for framing). */
  readonly maxMessageBytes: number;
  readonly storage: PeerStorageInit;
  /** Checks originator signatures of the requests delivered to this peer. */
  readonly security?: MessageSecurity;
}

/** How a virtual peer stores: the overlay's kinds, whom it trusts, and its own value store. */
export interface PeerStorageInit {
  readonly kinds: KindRegistry;
  readonly trust: CertificateTrust;
  /** Value signatures already verified in this process (one memo for all its virtual peers). */
  readonly verifiedValues?: VerifiedSignatures;
  /** This peer's values (each virtual peer has its own). */
  readonly store: ValueStore;
  readonly settings?: Partial<StorageSettings>;
}

/** How long a graceful stop waits for the successor to take this peer's values. */
const HAND_OFF_MS = 10_000;

/**
 * One overlay peer of this process: its own gRPC endpoint (links, diagnostics, health), its own
 * Node-ID from the process's multi-Node-ID certificate, and the overlay core driving it.
 */
export class VirtualPeer {
  readonly startedAtMs = Date.now();

  private constructor(
    public node: OverlayNode,
    public storage: OverlayStorage,
    readonly server: RpcServer,
    private readonly trunks: LinkTrunks,
    private readonly valueStore: ValueStore,
    private readonly makeNode: () => { node: OverlayNode; storage: OverlayStorage },
  ) {}

  get address(): string {
    return this.server.address;
  }

  static async start(init: VirtualPeerInit): Promise<VirtualPeer> {
    // The server must exist before the node (the node's transport needs its address), and the
    // server's handlers need the node: they read it through this holder once it is set.
    const holder: { node?: OverlayNode; storage?: OverlayStorage; address: string } = { address: '' };
    const started = <T>(value: T | undefined): T => {
      if (value === undefined) throw new Error('peer not started');
      return value;
    };
    const logger = init.logger.child({ component: 'peer', nodeId: idToHex(init.nodeId) });
    const server = await startRpcServer({
      tls: init.identity,
      host: init.host,
      port: init.port,
      logger,
      metrics: init.metrics,
      maxReceiveMessageBytes: init.maxMessageBytes,
      services: [
        // Trunks dialled to this endpoint: links on them without an expected Node-ID are for it.
        bindService(overlayV1.OverlayLinkServiceService, {
          link: init.trunks.handler(() => holder.node),
        }),
        bindService(
          diagnosticsV1.DiagnosticsServiceService,
          diagnosticsHandlers({
            get node() {
              return started(holder.node);
            },
            get storage() {
              return started(holder.storage);
            },
            get address() {
              return holder.address;
            },
            overlay: init.agreement.overlay,
            configurationSequence: init.agreement.configurationSequence,
            startedAtMs: Date.now(),
          }),
        ),
        bindService(
          peerV1.ClientAccessServiceService,
          clientAccessHandlers({
            get node() {
              return started(holder.node);
            },
            get storage() {
              return started(holder.storage);
            },
            kinds: init.storage.kinds,
            overlay: init.agreement.overlay,
            overlayHash: overlayHash(init.agreement.overlay),
            configurationSequence: init.agreement.configurationSequence,
            codec: init.codec,
            logger,
            isRevoked: (certificate) => init.revocations.isRevoked(certificate),
            ...(init.requests ? { clientRequests: init.requests.clientRequests } : {}),
          }),
        ),
      ],
    });
    holder.address = server.address;
    const transport = new GrpcLinkTransport({
      nodeId: init.nodeId,
      listenAddress: server.address,
      trunks: init.trunks,
    });
    const rules = new StorageRules({
      kinds: init.storage.kinds,
      store: init.storage.store,
      trust: init.storage.trust,
      ...(init.storage.verifiedValues ? { verifiedValues: init.storage.verifiedValues } : {}),
      now: () => systemClock.now(),
    });
    const makeNode = (): { node: OverlayNode; storage: OverlayStorage } => {
      const node = new OverlayNode(
        {
          clock: systemClock,
          transport,
          logger,
          ...(init.security ? { security: init.security } : {}),
          ...(init.requests ? { timings: init.requests.timings } : {}),
        },
        { nodeId: init.nodeId, settings: init.settings },
      );
      const storage = new OverlayStorage({
        node,
        rules,
        ...(init.storage.settings ? { settings: init.storage.settings } : {}),
      });
      holder.node = node;
      holder.storage = storage;
      init.trunks.register(node, server.address);
      return { node, storage };
    };
    const first = makeNode();
    return new VirtualPeer(first.node, first.storage, server, init.trunks, init.storage.store, makeNode);
  }

  /**
   * Replaces the node after a failed join: a node starts once, so a retry needs a fresh one (its
   * endpoint, identity and transport stay).
   */
  async renewNode(): Promise<void> {
    this.storage.stop();
    await this.node.stop();
    ({ node: this.node, storage: this.storage } = this.makeNode());
  }

  /** Graceful: the successor takes this peer's values, then Leave; either way the store closes. */
  async stop(options: { graceful: boolean }): Promise<void> {
    await this.leave(options);
    await this.close();
  }

  /**
   * Leaves the overlay (gracefully: hand-off and Leave first) and stops the node; the endpoint
   * stays up, since the process's trunks that arrived through it carry its siblings' links too.
   */
  async leave(options: { graceful: boolean }): Promise<void> {
    if (options.graceful && this.node.isJoined()) {
      await this.storage.handOff({ signal: AbortSignal.timeout(HAND_OFF_MS) }).catch(() => 0);
      await this.node.leave().catch(() => undefined);
    }
    this.storage.stop();
    this.trunks.unregister(this.node.nodeId);
    await this.node.stop();
  }

  /** Closes the endpoint and the value store (after leave, once the process's trunks are down). */
  async close(): Promise<void> {
    await this.server.stop({ graceMs: 1000 });
    await this.valueStore.close().catch(() => undefined);
  }
}
