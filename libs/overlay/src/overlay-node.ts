import { randomBytes } from 'node:crypto';
import type { NodeId, RingId } from '@p2psip/identity';
import {
  silentLogger,
  type Clock,
  type Link,
  type LinkHandler,
  type LinkTransport,
  type MessageSecurity,
  type OverlayComponents,
  type OverlayLogger,
  type RequestTimings,
} from './components';
import { InvalidStartError, NodeStoppedError, NotJoinedError } from './errors';
import { TypedEmitter, type OverlayEvents, type ResponsibleRange } from './events';
import { ConnectionTable } from './links/connection-table';
import { nodeDestination, resourceDestination, type Destination } from './messages/destination';
import type { AttachCandidate } from './messages/link-bodies';
import type { MessageBody, OverlayMessage } from './messages/message';
import type {
  PingAnswer,
  ProbeAnswer,
  ProbeInformation,
  ProbeInformationTypeValue,
  ProbeRequest,
  RouteQueryAnswer,
} from './messages/topology-bodies';
import { Router } from './routing/router';
import { Transactions, type Answer } from './routing/transactions';
import { RoutingTable } from './routing-table/routing-table';
import { resolveSettings, type OverlaySettings } from './settings';
import { candidatesFor } from './topology/attach';
import { AttachSlots } from './topology/attach-slots';
import { ChordTopology } from './topology/chord-topology';
import type { BootstrapContact } from './topology/bootstrap-contact';
import { nextHopFor } from './topology/diagnostics';
import { join, leave } from './topology/index';
import type { NodeCore, RequestHandler, RequestOptions } from './topology/node-core';
import { registerCoreHandlers } from './topology/handlers';
import { RequestDispatcher } from './routing/dispatcher';
import { trace, type TraceHop } from './topology/trace';

export interface OverlayNodeInit {
  /** This node's Node-ID (from its certificate). */
  readonly nodeId: NodeId;
  readonly settings?: Partial<OverlaySettings>;
}

export interface StartOptions {
  /** This node forms a new overlay (RFC 6940 §10.5: must be configured explicitly). */
  readonly first?: boolean;
  /** Bootstrap nodes (addresses, or addresses with the Node-ID expected there), tried in turn. */
  readonly bootstrap?: readonly (string | BootstrapContact)[];
  readonly signal?: AbortSignal;
}

/**
 * One overlay peer: Chord-reload routing and topology maintenance over an injected transport and
 * clock, with no I/O of its own. The adapter hands it incoming links (`accept`) and the node
 * implements `LinkHandler` for every link it owns.
 */
export class OverlayNode extends TypedEmitter<OverlayEvents> implements LinkHandler, NodeCore {
  readonly self: NodeId;
  readonly settings: OverlaySettings;
  readonly clock: Clock;
  readonly transport: LinkTransport;
  readonly random: (size: number) => Uint8Array;
  readonly logger: OverlayLogger;
  readonly table: RoutingTable;
  readonly connections: ConnectionTable;
  readonly attaches: AttachSlots;
  startedAt = 0;
  private readonly security?: MessageSecurity;
  /** Where request latencies go (the dispatcher reports handled requests through it too). */
  readonly timings?: RequestTimings;
  private readonly router: Router;
  private readonly transactions: Transactions;
  private readonly dispatcher: RequestDispatcher;
  private readonly topology: ChordTopology;
  private lifetime = new AbortController();
  private state: 'new' | 'running' | 'stopped' = 'new';
  private resourceCount: () => number = () => 0;

  constructor(components: OverlayComponents, init: OverlayNodeInit) {
    super();
    this.self = init.nodeId;
    this.settings = resolveSettings(init.settings);
    this.clock = components.clock;
    this.transport = components.transport;
    this.random = components.random ?? randomBytes;
    this.logger = components.logger ?? silentLogger;
    this.security = components.security;
    this.timings = components.timings;
    this.table = new RoutingTable(this.self, this.settings, () => this.clock.now());
    this.connections = new ConnectionTable(this.self);
    this.attaches = new AttachSlots(this.clock, this.settings);
    this.topology = new ChordTopology(this);
    this.router = new Router({
      self: this.self,
      settings: this.settings,
      table: this.table,
      connections: this.connections,
      logger: this.logger,
      isJoined: () => this.topology.joined,
      deliver: (message, from) => this.deliver(message, from),
    });
    this.transactions = new Transactions(
      this.clock,
      (message) => this.router.route(message, undefined),
      this.settings.requestTimeoutMs,
      this.settings.maxTransmissions,
    );
    this.dispatcher = new RequestDispatcher(this, this.router, this.security);
    registerCoreHandlers(this, this.topology, this.dispatcher, () => this.resourceCount());
  }

  get nodeId(): NodeId {
    return this.self;
  }

  /** Joins (or, with `first`, forms) the overlay; settles once the node is in the ring. */
  async start(options: StartOptions): Promise<void> {
    if (this.state !== 'new') throw new InvalidStartError('a node starts once');
    this.state = 'running';
    this.startedAt = this.clock.now();
    if (options.first) {
      this.topology.becomeJoined();
      return;
    }
    const bootstrap = options.bootstrap ?? [];
    if (bootstrap.length === 0) throw new InvalidStartError('need `first` or bootstrap addresses');
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.lifetime.signal])
      : this.lifetime.signal;
    await join(this, this.topology, bootstrap, signal);
  }

  /** Leaves gracefully (Leave to every neighbour), then stops. */
  async leave(): Promise<void> {
    if (this.state === 'running' && this.topology.joined) await leave(this);
    await this.stop();
  }

  /** Stops at once: timers cancelled, pending requests failed, links closed. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.lifetime.abort();
    this.topology.stop();
    this.transactions.failAll(new NodeStoppedError());
    this.dispatcher.clear();
    for (const link of this.connections.clear()) link.close();
    return Promise.resolve();
  }

  isJoined(): boolean {
    return this.topology.joined;
  }

  /** The adapter hands over an authenticated incoming link. */
  accept(link: Link): void {
    if (this.state === 'stopped') return link.close();
    this.registerLink(link);
  }

  onLinkMessage(link: Link, message: OverlayMessage): void {
    if (this.state === 'stopped') return;
    try {
      this.router.route(message, link);
    } catch (error) {
      // Whatever a peer sends must never take the node down.
      this.logger.warn({ error, peer: link.remoteNodeId.toString(16) }, 'message dropped');
    }
  }

  onLinkClose(link: Link): void {
    if (!this.connections.remove(link)) return;
    this.emit('linkDown', link.remoteNodeId);
    if (this.state === 'running') this.topology.linkDown(link.remoteNodeId);
  }

  /** Registers the handler for one request type (e.g. `store_req` from the storage lib). */
  handle<B extends MessageBody>(type: string, handler: RequestHandler<B>): void {
    this.dispatcher.register(type, handler as RequestHandler);
  }

  /** Sends a routed request and resolves with its answer; error answers reject with `ReloadError`. */
  request(
    destinations: Destination | readonly Destination[],
    body: MessageBody,
    options: RequestOptions = {},
  ): Promise<Answer> {
    if (this.state === 'stopped') return Promise.reject(new NodeStoppedError());
    const list = Array.isArray(destinations) ? destinations : [destinations as Destination];
    const message: OverlayMessage = {
      header: {
        ttl: this.settings.initialTtl,
        transactionId: this.newTransactionId(),
        via: [],
        destinations: list,
      },
      body,
    };
    const answer = this.transactions.start(message, options);
    if (this.timings) this.timeRequest(body.type, answer, this.timings);
    return answer;
  }

  private timeRequest(type: string, answer: Promise<Answer>, timings: RequestTimings): void {
    const sent = this.clock.now();
    answer.then(
      () => timings.originated(type, this.clock.now() - sent, 'ok'),
      () => timings.originated(type, this.clock.now() - sent, 'error'),
    );
  }

  responsibleRange(): ResponsibleRange | undefined {
    return this.topology.responsibleRange();
  }

  isResponsible(id: RingId): boolean {
    return this.topology.joined && this.table.isResponsible(id);
  }

  neighbors(): { successors: readonly NodeId[]; predecessors: readonly NodeId[] } {
    const n = this.table.neighbors;
    return { successors: n.successors, predecessors: n.predecessors };
  }

  fingers(): NodeId[] {
    return this.table.fingers.values();
  }

  /** Where this node would send a message for `id` (itself when responsible). */
  nextHop(id: RingId): NodeId {
    return nextHopFor(this, this.topology, resourceDestination(id));
  }

  /** Asks `peer` where it would route `destination` (RouteQuery, for iterative routing). */
  async routeQuery(peer: NodeId, destination: Destination, options?: RequestOptions) {
    const body = { type: 'route_query_req', sendUpdate: false, destination };
    const answer = await this.request(nodeDestination(peer), body, options);
    return (answer.body as RouteQueryAnswer).nextPeer;
  }

  async ping(destination: Destination, options?: RequestOptions) {
    const started = this.clock.now();
    const answer = await this.request(destination, { type: 'ping_req' }, options);
    const body = answer.body as PingAnswer;
    return { nodeId: answer.from, rttMs: this.clock.now() - started, timeMs: body.timeMs };
  }

  async probe(
    destination: Destination,
    requestedInfo: readonly ProbeInformationTypeValue[],
    options?: RequestOptions,
  ): Promise<readonly ProbeInformation[]> {
    const body: ProbeRequest = { type: 'probe_req', requestedInfo };
    const answer = await this.request(destination, body, options);
    return (answer.body as ProbeAnswer).info;
  }

  /** Path trace towards `id`: this node, then every hop up to the responsible one. */
  trace(id: RingId, options?: { signal?: AbortSignal }): AsyncGenerator<TraceHop> {
    if (!this.topology.joined) throw new NotJoinedError();
    return trace(this, this.topology, id, options);
  }

  /** What Probe reports as num_resources (set by the storage lib). */
  setResourceCounter(count: () => number): void {
    this.resourceCount = count;
  }

  /** Sizes of the internal tables, for diagnostics and memory checks. */
  stats() {
    return {
      connections: this.connections.size,
      pendingRequests: this.transactions.size,
      cachedAnswers: this.dispatcher.cachedAnswers,
      /** Resources the storage lib reports (Probe's num_resources). */
      resources: this.resourceCount(),
    };
  }

  // --- NodeCore -------------------------------------------------------------------------------

  registerLink(link: Link): Link {
    const loser = this.connections.add(link);
    link.setHandler(this);
    if (loser) loser.close();
    if (loser !== link) {
      this.emit('linkUp', link.remoteNodeId);
      this.topology.linkUp(link.remoteNodeId);
    }
    return this.connections.get(link.remoteNodeId) ?? link;
  }

  listenCandidates(): AttachCandidate[] {
    return candidatesFor(this.transport.listenAddresses());
  }

  emitNeighborsChanged(): void {
    this.emit('neighborsChanged', this.neighbors());
  }

  emitResponsibilityChanged(
    oldRange: ResponsibleRange | undefined,
    newRange: ResponsibleRange | undefined,
  ): void {
    this.emit('responsibilityChanged', oldRange, newRange);
  }

  emitJoined(): void {
    this.emit('joined');
  }

  protected override onListenerError(error: unknown, event: string): void {
    this.logger.warn({ error, event }, 'event listener failed');
  }

  private deliver(message: OverlayMessage, from: Link | undefined): void {
    this.dispatcher.deliver(message, from, this.transactions);
  }

  private newTransactionId(): bigint {
    const b = this.random(8);
    let id = 0n;
    for (const x of b) id = (id << 8n) | BigInt(x);
    return id;
  }
}
