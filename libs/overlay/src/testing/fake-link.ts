import type { NodeId } from '@p2psip/identity';
import type { Link, LinkHandler } from '../components';
import type { MessageBody, OverlayMessage } from '../messages/message';

/** A hand-driven link into a node, as a misbehaving adapter or peer would feed it. */
export class FakeLink implements Link {
  /** What the node sent over this link. */
  readonly sent: OverlayMessage[] = [];
  readonly address = 'fake';
  readonly outbound = false;
  handler?: LinkHandler;

  constructor(readonly remoteNodeId: NodeId) {}

  send(message: OverlayMessage): void {
    this.sent.push(message);
  }

  close(): void {
    this.handler?.onLinkClose(this);
  }

  setHandler(handler: LinkHandler): void {
    this.handler = handler;
  }

  /** Delivers a message to the node as if the remote had sent it (a Ping by default). */
  inject(header: Partial<OverlayMessage['header']>, body: MessageBody = { type: 'ping_req' }): void {
    this.handler?.onLinkMessage(this, {
      header: { ttl: 10, transactionId: 77n, via: [], destinations: [], ...header },
      body,
    });
  }
}
