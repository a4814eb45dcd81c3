import { type NodeId, idToHex } from '@p2psip/identity';
import { type OverlaySettings, OverlayNode } from '@p2psip/overlay';
import { GrpcLinkTransport, type LinkAgreement, type MessageCodec, linkHandler } from '@p2psip/overlay-grpc';
import { diagnosticsV1, overlayV1 } from '@p2psip/proto';
import { type RpcServer, type TlsIdentity, bindService, startRpcServer } from '@p2psip/rpc';
import type { Logger } from '@p2psip/telemetry';
import type { Registry } from 'prom-client';
import { diagnosticsHandlers } from './diagnostics-service';
import type { Revocations } from './revocations';
import { systemClock } from './system-clock';

export interface VirtualPeerInit {
  readonly nodeId: NodeId;
  readonly host: string;
  readonly port: number;
  readonly identity: TlsIdentity;
  readonly agreement: LinkAgreement;
  readonly codec: MessageCodec;
  readonly settings: Partial<OverlaySettings>;
  readonly revocations: Revocations;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Largest message accepted on a link, bytes (configuration max-message-size, with slack for framing). */
  readonly maxMessageBytes: number;
}

/**
 * One overlay peer of this process: its own gRPC endpoint (links, diagnostics, health), its own
 * Node-ID from the process's multi-Node-ID certificate, and the overlay core driving it.
 */
export class VirtualPeer {
  readonly startedAtMs = Date.now();

  private constructor(
    public node: OverlayNode,
    readonly server: RpcServer,
    private readonly makeNode: () => OverlayNode,
  ) {}

  get address(): string {
    return this.server.address;
  }

  static async start(init: VirtualPeerInit): Promise<VirtualPeer> {
    // The server must exist before the node (the node's transport needs its address), and the
    // server's handlers need the node: they read it through this holder once it is set.
    const holder: { node?: OverlayNode; address: string } = { address: '' };
    const logger = init.logger.child({ component: 'peer', nodeId: idToHex(init.nodeId) });
    const server = await startRpcServer({
      tls: init.identity,
      host: init.host,
      port: init.port,
      logger,
      metrics: init.metrics,
      maxReceiveMessageBytes: init.maxMessageBytes,
      services: [
        bindService(overlayV1.OverlayLinkServiceService, {
          link: linkHandler({
            agreement: init.agreement,
            codec: init.codec,
            endpointFor: (expected) => {
              const { node } = holder;
              return node && (expected === undefined || expected === node.nodeId) ? node : undefined;
            },
            isRevoked: (certificate) => init.revocations.isRevoked(certificate),
          }),
        }),
        bindService(
          diagnosticsV1.DiagnosticsServiceService,
          diagnosticsHandlers({
            get node() {
              if (!holder.node) throw new Error('peer not started');
              return holder.node;
            },
            get address() {
              return holder.address;
            },
            overlay: init.agreement.overlay,
            configurationSequence: init.agreement.configurationSequence,
            startedAtMs: Date.now(),
          }),
        ),
      ],
    });
    holder.address = server.address;
    const transport = new GrpcLinkTransport({
      nodeId: init.nodeId,
      listenAddress: server.address,
      identity: init.identity,
      agreement: init.agreement,
      codec: init.codec,
      isRevoked: (certificate) => init.revocations.isRevoked(certificate),
    });
    const makeNode = (): OverlayNode => {
      const node = new OverlayNode(
        { clock: systemClock, transport, logger },
        { nodeId: init.nodeId, settings: init.settings },
      );
      holder.node = node;
      return node;
    };
    return new VirtualPeer(makeNode(), server, makeNode);
  }

  /**
   * Replaces the node after a failed join: a node starts once, so a retry needs a fresh one (its
   * endpoint, identity and transport stay).
   */
  async renewNode(): Promise<void> {
    await this.node.stop();
    this.node = this.makeNode();
  }

  async stop(options: { graceful: boolean }): Promise<void> {
    if (options.graceful) await this.node.leave().catch(() => undefined);
    await this.node.stop();
    await this.server.stop({ graceMs: 1000 });
  }
}
