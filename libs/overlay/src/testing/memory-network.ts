import type { NodeId } from '@p2psip/identity';
import type { Link, LinkHandler, LinkTransport } from '../components';
import { ConnectFailedError } from '../errors';
import type { OverlayMessage } from '../messages/message';
import type { TimerOwner, VirtualClock } from './virtual-clock';

/** Decides whether to drop a message in flight (true = drop). */
export type LossHook = (message: OverlayMessage, from: NodeId, to: NodeId) => boolean;

/** One-way delay between two endpoints, ms (a simulator's delay model). */
export type DelayModel = (from: Endpoint, to: Endpoint) => number;

/** Sees every message put on the wire, before loss is decided (a simulator's traffic meter). */
export type TransmitObserver = (message: OverlayMessage, from: Endpoint, to: Endpoint) => void;

/** What the network knows about an endpoint. */
export interface Endpoint extends TimerOwner {
  readonly nodeId: NodeId;
  readonly address: string;
  accept(link: Link): void;
}

export interface MemoryNetworkOptions {
  /** One-way delay of every message and of link set-up, ms. @default 10 */
  readonly latencyMs?: number;
  /** After an abrupt death, how long until the other ends see their links close, ms. @default 1000 */
  readonly failureDetectionMs?: number;
  /** Per-pair one-way delay, ms; replaces `latencyMs` when given. @default constant latencyMs */
  readonly delay?: DelayModel;
}

/** One end of an in-memory link. */
class MemoryLink implements Link {
  peer!: MemoryLink;
  closed = false;
  private handler?: LinkHandler;
  private buffer?: OverlayMessage[];

  constructor(
    private readonly net: MemoryNetwork,
    readonly owner: Endpoint,
    readonly remoteNodeId: NodeId,
    readonly address: string,
    readonly outbound: boolean,
  ) {}

  send(message: OverlayMessage): void {
    if (this.closed || !this.owner.alive) return;
    this.net.transmit(this, message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.net.closed(this);
    this.handler?.onLinkClose(this);
  }

  setHandler(handler: LinkHandler): void {
    this.handler = handler;
    const pending = this.buffer;
    this.buffer = undefined;
    for (const m of pending ?? []) handler.onLinkMessage(this, m);
  }

  receive(message: OverlayMessage): void {
    if (this.closed) return;
    if (this.handler) this.handler.onLinkMessage(this, message);
    else (this.buffer ??= []).push(message);
  }

  remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler?.onLinkClose(this);
  }
}

/**
 * An in-memory network on a virtual clock: addresses are names, links are pairs of queues with a
 * fixed delay, and a message or link set-up to a dead endpoint is lost (set-ups are refused).
 */
export class MemoryNetwork {
  readonly latencyMs: number;
  readonly failureDetectionMs: number;
  lossHook?: LossHook;
  observer?: TransmitObserver;
  /** Messages put on the wire, by body type. */
  readonly sent = new Map<string, number>();
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly linksOf = new Map<Endpoint, Set<MemoryLink>>();
  private readonly delay: DelayModel;

  constructor(
    private readonly clock: VirtualClock,
    options: MemoryNetworkOptions = {},
  ) {
    this.latencyMs = options.latencyMs ?? 10;
    this.failureDetectionMs = options.failureDetectionMs ?? 1000;
    const latency = this.latencyMs;
    this.delay = options.delay ?? (() => latency);
  }

  register(endpoint: Endpoint): void {
    this.endpoints.set(endpoint.address, endpoint);
  }

  /** Forgets a dead endpoint, so that a long churn run does not keep every departed node. */
  unregister(endpoint: Endpoint): void {
    if (this.endpoints.get(endpoint.address) === endpoint) this.endpoints.delete(endpoint.address);
    this.linksOf.delete(endpoint);
  }

  /** The transport one endpoint uses. */
  transportFor(endpoint: Endpoint): LinkTransport {
    return {
      listenAddresses: () => [endpoint.address],
      connect: (address, expected) => this.connect(endpoint, address, expected),
    };
  }

  /** Abrupt death: nothing leaves or arrives; the other ends notice after the detection delay. */
  kill(endpoint: Endpoint): void {
    endpoint.alive = false;
    for (const link of this.linksOf.get(endpoint) ?? []) {
      const peer = link.peer;
      link.closed = true;
      this.clock.schedule(this.failureDetectionMs, () => peer.remoteClosed(), peer.owner);
    }
    this.linksOf.delete(endpoint);
  }

  transmit(from: MemoryLink, message: OverlayMessage): void {
    const type = message.body.type;
    this.sent.set(type, (this.sent.get(type) ?? 0) + 1);
    const to = from.peer;
    this.observer?.(message, from.owner, to.owner);
    if (this.lossHook?.(message, from.owner.nodeId, from.remoteNodeId)) return;
    this.clock.schedule(this.delay(from.owner, to.owner), () => to.receive(message), to.owner);
  }

  closed(link: MemoryLink): void {
    this.linksOf.get(link.owner)?.delete(link);
    const peer = link.peer;
    this.clock.schedule(
      this.delay(link.owner, peer.owner),
      () => {
        this.linksOf.get(peer.owner)?.delete(peer);
        peer.remoteClosed();
      },
      peer.owner,
    );
  }

  private connect(from: Endpoint, address: string, expected: NodeId | undefined): Promise<Link> {
    return new Promise((resolve, reject) => {
      // One round trip for the set-up, as a TLS handshake would take at least.
      const target = this.endpoints.get(address);
      this.clock.schedule(
        target ? 2 * this.delay(from, target) : 2 * this.latencyMs,
        () => {
          const to = this.endpoints.get(address);
          if (!to || !to.alive) return reject(new ConnectFailedError(`${address} unreachable`));
          if (expected !== undefined && to.nodeId !== expected) {
            return reject(new ConnectFailedError(`${address} is not the expected node`));
          }
          const local = new MemoryLink(this, from, to.nodeId, address, true);
          const remote = new MemoryLink(this, to, from.nodeId, from.address, false);
          local.peer = remote;
          remote.peer = local;
          this.track(local);
          this.track(remote);
          to.accept(remote);
          resolve(local);
        },
        from,
      );
    });
  }

  private track(link: MemoryLink): void {
    let set = this.linksOf.get(link.owner);
    if (!set) this.linksOf.set(link.owner, (set = new Set()));
    set.add(link);
  }
}
