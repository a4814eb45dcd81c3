import type { NodeId, ReloadCertificate } from '@p2psip/identity';
import type { Link, LinkTransport } from '@p2psip/overlay';
import type { TlsIdentity } from '@p2psip/rpc';
import type { LinkCounters } from './grpc-link';
import { dialLink } from './link-dialer';
import type { LinkAgreement } from './link-hello';
import type { MessageCodec } from './message-codec';

export interface GrpcLinkTransportInit {
  readonly nodeId: NodeId;
  /** host:port where this peer's links are accepted (the process's gRPC server). */
  readonly listenAddress: string;
  readonly identity: TlsIdentity;
  readonly agreement: LinkAgreement;
  readonly codec: MessageCodec;
  readonly connectTimeoutMs?: number;
  readonly counters?: LinkCounters;
  readonly isRevoked?: (certificate: ReloadCertificate) => boolean;
}

/** The LinkTransport of one (virtual) peer: outgoing links are dialled, incoming ones come through the link service. */
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
    return dialLink({
      address,
      localNodeId: this.init.nodeId,
      expectedNodeId,
      identity: this.init.identity,
      agreement: this.init.agreement,
      codec: this.init.codec,
      ...(this.init.connectTimeoutMs === undefined ? {} : { timeoutMs: this.init.connectTimeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.init.counters ? { counters: this.init.counters } : {}),
      ...(this.init.isRevoked ? { isRevoked: this.init.isRevoked } : {}),
    });
  }
}
