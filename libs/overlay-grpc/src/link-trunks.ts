import { type ChannelCredentials, Metadata, type ServerDuplexStream } from '@grpc/grpc-js';
import { type NodeId, type ReloadCertificate, parseCertificate } from '@p2psip/identity';
import { ConnectFailedError, type Link } from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import {
  type CallContext,
  RpcError,
  type TlsIdentity,
  clientCredentials,
  createClient,
  peerIdentityOf,
} from '@p2psip/rpc';
import type { LinkCounters } from './grpc-link';
import type { LinkAgreement } from './link-hello';
import type { LinkEndpoint } from './link-endpoint';
import { LocalLink } from './local-link';
import type { MessageCodec } from './message-codec';
import { Trunk, type TrunkHost } from './trunk';

export interface LinkTrunksInit {
  /** The process's TLS identity (one certificate carrying the Node-IDs of all its peers). */
  readonly identity: TlsIdentity;
  readonly agreement: LinkAgreement;
  readonly codec: MessageCodec;
  readonly counters?: LinkCounters;
  /** True for certificates that must not link (revoked by CRL or NATS). */
  readonly isRevoked?: (certificate: ReloadCertificate) => boolean;
  /** Largest message accepted on a trunk, bytes. @default 256 KiB */
  readonly maxMessageBytes?: number;
  /** Deadline of opening one link, ms. @default 5 s */
  readonly connectTimeoutMs?: number;
  /** A trunk that carried no link for this long is closed, ms. @default 60 s */
  readonly idleMs?: number;
}

/**
 * Channel settings of a trunk: keepalive pings find a process that vanished without a TCP reset
 * (power loss, partition), and incoming messages are capped like on the server side.
 */
function trunkChannelOptions(maxMessageBytes: number) {
  return {
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': maxMessageBytes,
  };
}

/**
 * The overlay links of one peer process (ADR 0003 §8): every link between two processes rides
 * one trunk, whichever end dialled it, so a process with N virtual peers pays for one stream per
 * remote process instead of one per link. A link to a Node-ID goes over the open trunk whose
 * remote certificate carries that Node-ID (the certificate proves the remote process speaks for
 * it), else over a trunk to the address the Attach gave, dialled when there is none.
 */
export class LinkTrunks implements TrunkHost {
  readonly agreement: LinkAgreement;
  readonly codec: MessageCodec;
  readonly counters?: LinkCounters;
  readonly isRevoked?: (certificate: ReloadCertificate) => boolean;
  private readonly endpoints = new Map<NodeId, { endpoint: LinkEndpoint; address: string }>();
  /** Hosted peers by the address they listen at (a link dialled there stays in the process). */
  private readonly listening = new Map<string, LinkEndpoint>();
  private readonly certificate: ReloadCertificate;
  private readonly trunks = new Set<Trunk>();
  /** Trunks this process dialled, by address; their default peer is the one listening there. */
  private readonly dialledTo = new Map<string, Trunk>();
  /** The channel of each trunk this process dialled. */
  private readonly channels = new Map<Trunk, { close(): void }>();
  /** The peer each accepted trunk was dialled to (the server it arrived at). */
  private readonly defaults = new WeakMap<Trunk, () => LinkEndpoint | undefined>();
  private readonly credentials: ChannelCredentials;
  private stopped = false;

  constructor(private readonly init: LinkTrunksInit) {
    this.agreement = init.agreement;
    this.codec = init.codec;
    if (init.counters) this.counters = init.counters;
    if (init.isRevoked) this.isRevoked = init.isRevoked;
    // One credentials object: grpc-js then shares one connection per address between channels.
    this.credentials = clientCredentials(init.identity);
    this.certificate = parseCertificate(init.identity.certPem);
  }

  /** Makes a hosted peer (listening at `address`) reachable by links to its Node-ID. */
  register(endpoint: LinkEndpoint, address: string): void {
    this.endpoints.set(endpoint.nodeId, { endpoint, address });
    this.listening.set(address, endpoint);
  }

  unregister(nodeId: NodeId): void {
    const entry = this.endpoints.get(nodeId);
    this.endpoints.delete(nodeId);
    if (entry && this.listening.get(entry.address) === entry.endpoint) this.listening.delete(entry.address);
  }

  /** Open trunks (for metrics and tests). */
  get trunkCount(): number {
    return this.trunks.size;
  }

  /** Opens a link from the hosted peer `local` to `expected` (or whoever listens at `address`). */
  async connect(
    local: NodeId,
    address: string,
    expected: NodeId | undefined,
    options: { signal?: AbortSignal } = {},
  ): Promise<Link> {
    if (this.stopped) throw new ConnectFailedError('the process is stopping');
    const here =
      expected !== undefined ? this.endpoints.get(expected)?.endpoint : this.listening.get(address);
    if (expected === local || here?.nodeId === local)
      throw new ConnectFailedError('a peer does not link to itself');
    if (here) return this.linkLocally(local, here);
    const timeoutMs = this.init.connectTimeoutMs ?? 5000;
    const open = (trunk: Trunk) => trunk.open(local, expected, timeoutMs, options.signal);
    if (expected === undefined) return open(this.trunkTo(address));
    const reaching = this.trunkReaching(expected);
    if (reaching) return open(reaching);
    // Trunks still being dialled may turn out to reach it: links to several peers of one process
    // opened at once (a join, a round of fingers) then share one trunk instead of one each. No
    // await before a new trunk is dialled, so that the links opened at once find it.
    const unidentified = [...this.trunks].filter((trunk) => !trunk.isEnded && !trunk.remoteIdentity);
    if (unidentified.length === 0) return open(this.trunkTo(address));
    await this.identification(unidentified, expected, timeoutMs);
    if (this.stopped) throw new ConnectFailedError('the process is stopping');
    if (options.signal?.aborted) throw new ConnectFailedError('aborted before linking');
    return open(this.trunkReaching(expected) ?? this.trunkTo(address));
  }

  /**
   * The OverlayLinkService.Link handler of one hosted peer's server: the stream becomes a trunk;
   * links opened on it without an expected Node-ID are for `defaultEndpoint`.
   */
  handler(defaultEndpoint: () => LinkEndpoint | undefined) {
    return async (
      call: ServerDuplexStream<overlayV1.LinkFrame, overlayV1.LinkFrame>,
      context: CallContext,
    ): Promise<void> => {
      const caller = context.peer;
      if (!caller)
        throw new RpcError(
          'unauthenticated',
          'CERTIFICATE_REQUIRED',
          'overlay links need a certificate from the overlay CA',
        );
      if (this.isRevoked?.(caller.certificate))
        throw new RpcError('forbidden', 'REVOKED', 'the certificate is revoked');
      if (this.stopped) throw new RpcError('unavailable', 'STOPPING', 'the process is stopping');
      const trunk = new Trunk(call, false, call.getPeer(), this, () => caller, this.idleMs);
      this.defaults.set(trunk, defaultEndpoint);
      this.trunks.add(trunk);
      context.signal.addEventListener('abort', () => trunk.close('the server is stopping'), { once: true });
      trunk.learnIdentity();
      // Headers at once: the dialler learns whose trunk this is before any link answers.
      call.sendMetadata(new Metadata());
      // The call lasts as long as the trunk (which ends with its stream).
      await trunk.done;
    };
  }

  endpointFor(expected: NodeId | undefined, trunk: Trunk): LinkEndpoint | undefined {
    if (expected !== undefined) return this.endpoints.get(expected)?.endpoint;
    return this.defaults.get(trunk)?.();
  }

  trunkEnded(trunk: Trunk): void {
    this.trunks.delete(trunk);
    if (this.dialledTo.get(trunk.address) === trunk) this.dialledTo.delete(trunk.address);
    // The channel lives as long as its trunk (closing it lets a call in flight finish).
    this.channels.get(trunk)?.close();
    this.channels.delete(trunk);
  }

  /** Closes every trunk whose remote holds this certificate (it was revoked); how many it closed. */
  closeTrunksOf(serialNumber: string): number {
    let closed = 0;
    for (const trunk of [...this.trunks]) {
      if (trunk.remoteIdentity?.certificate.serialNumber !== serialNumber) continue;
      trunk.close('certificate revoked');
      closed++;
    }
    return closed;
  }

  /** Ends every trunk: the process is stopping. */
  stop(): void {
    this.stopped = true;
    for (const trunk of [...this.trunks]) trunk.close('the process is stopping');
  }

  private get idleMs(): number {
    return this.init.idleMs ?? 60_000;
  }

  private trunkReaching(nodeId: NodeId): Trunk | undefined {
    for (const trunk of this.trunks) if (trunk.reaches(nodeId)) return trunk;
    return undefined;
  }

  /**
   * Waits (at most 2 s) until one of these trunks turns out to reach `nodeId`, or all of them
   * know whose they are, or have ended.
   */
  private identification(trunks: readonly Trunk[], nodeId: NodeId, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let left = trunks.length;
      const timer = setTimeout(resolve, Math.min(timeoutMs, 2000));
      const settle = (): void => {
        clearTimeout(timer);
        resolve();
      };
      for (const trunk of trunks) {
        void trunk.identified.then(() => {
          left--;
          if (trunk.reaches(nodeId) || left === 0) settle();
        });
      }
    });
  }

  /** A link to a peer of this process: no socket (ADR 0003 §8). */
  private linkLocally(local: NodeId, target: LinkEndpoint): Link {
    const [mine, theirs] = LocalLink.pair(
      { nodeId: local, address: this.endpoints.get(local)?.address ?? '' },
      { nodeId: target.nodeId, address: this.endpoints.get(target.nodeId)?.address ?? '' },
      this.certificate,
      this.codec,
    );
    // As over a network, the other peer learns of the link after this call returns.
    queueMicrotask(() => target.accept(theirs));
    return mine;
  }

  private trunkTo(address: string): Trunk {
    const existing = this.dialledTo.get(address);
    if (existing && !existing.isEnded) return existing;
    const client = createClient(
      overlayV1.OverlayLinkServiceClient,
      address,
      this.credentials,
      trunkChannelOptions(this.init.maxMessageBytes ?? 256 * 1024),
    );
    const call = client.link();
    const trunk = new Trunk(call, true, address, this, () => peerIdentityOf(call), this.idleMs);
    call.on('metadata', () => trunk.learnIdentity());
    this.trunks.add(trunk);
    this.dialledTo.set(address, trunk);
    this.channels.set(trunk, client);
    return trunk;
  }
}
