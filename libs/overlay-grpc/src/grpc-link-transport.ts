import type { NodeId } from '@p2psip/identity';
import type { Link, LinkTransport } from '@p2psip/overlay';
import type { LinkTrunks } from './link-trunks';

export interface GrpcLinkTransportInit {
  readonly nodeId: NodeId;
  /** host:port where this peer's links are accepted (its gRPC server). */
  readonly listenAddress: string;
  /** The process's trunks, shared by all its virtual peers. */
  readonly trunks: LinkTrunks;
}

/** The LinkTransport of one (virtual) peer: its links ride the process's trunks (ADR 0003 §8). */
export class GrpcLinkTransport implements LinkTransport {
  constructor(private readonly init: GrpcLinkTransportInit) {}

  listenAddresses(): readonly string[] {
    return [this.init.listenAddress];
  }

  connect(
    address: string,
    expectedNodeId: NodeId | undefined,
    options: { signal?: AbortSignal } = {},
  ): Promise<Link> {
    return this.init.trunks.connect(this.init.nodeId, address, expectedNodeId, options);
  }
}
