import { type NodeId, type ReloadCertificate, idToHex } from '@p2psip/identity';
import type { Link, LinkHandler, OverlayLogger, OverlayMessage } from '@p2psip/overlay';
import type { ClientRequestClock } from './client-request-clock';

/**
 * Requests a thin client may not make: it stores nothing for others and routes nothing (RFC 6940
 * §3.2), so it has no business joining, updating routing tables or asking for overlay links. An
 * Update from a client would otherwise make the peer take it for a neighbour and route through it.
 */
const TOPOLOGY_REQUESTS = new Set(['join_req', 'update_req', 'leave_req', 'attach_req']);

/**
 * The link to a thin client attached over ClientAccessService.Connect: an ordinary link in the
 * peer's connection table (so messages whose destination list names the client are delivered
 * down its stream), minus the topology requests above, which are dropped and logged.
 */
export class ThinClientLink implements Link {
  constructor(
    private readonly link: Link,
    /** The certificate the client authenticated with (a revocation closes the link). */
    readonly remoteCertificate: ReloadCertificate,
    private readonly logger: OverlayLogger,
    /** Times the client's requests through this peer (the peer's metrics). */
    private readonly clock?: ClientRequestClock,
  ) {}

  get remoteNodeId(): NodeId {
    return this.link.remoteNodeId;
  }

  get address(): string {
    return this.link.address;
  }

  get outbound(): boolean {
    return this.link.outbound;
  }

  /** The Connect call checked the hello's Node-ID against the client's TLS certificate. */
  get authenticatesRemote(): boolean {
    return true;
  }

  send(message: OverlayMessage): void {
    this.clock?.toClient(message);
    this.link.send(message);
  }

  close(): void {
    this.link.close();
  }

  setHandler(handler: LinkHandler): void {
    this.link.setHandler({
      onLinkMessage: (_inner, message) => {
        if (TOPOLOGY_REQUESTS.has(message.body.type)) {
          this.logger.warn(
            { client: idToHex(this.remoteNodeId), type: message.body.type },
            'topology request from a thin client dropped',
          );
          return;
        }
        this.clock?.fromClient(message);
        handler.onLinkMessage(this, message);
      },
      onLinkClose: () => handler.onLinkClose(this),
    });
  }
}
