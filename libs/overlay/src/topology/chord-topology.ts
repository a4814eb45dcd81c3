import { idToHex, type NodeId } from '@p2psip/identity';
import type { Cancel } from '../components';
import { AttachLimitError } from '../errors';
import type { ResponsibleRange } from '../events';
import { nodeDestination } from '../messages/destination';
import type { ChordUpdate, ChordUpdateType, UpdateRequest } from '../messages/topology-bodies';
import { DisagreementReplies } from './disagreement-replies';
import { attach } from './attach';
import { refreshFingers } from './finger-maintenance';
import { jittered, type NodeCore } from './node-core';

/**
 * CHORD-RELOAD maintenance (RFC 6940 §10.6–10.7): takes candidate peers from Updates, Leaves and
 * joins, attaches to the ones the neighbour table wants, reacts to lost links, and sends Updates
 * (reactively, coalesced into one flush per burst of changes, and periodically).
 */
export class ChordTopology {
  joined = false;
  /** Updates received before joining, by sender (the joiner waits for the AP's). */
  readonly preJoinUpdates = new Map<NodeId, ChordUpdate>();
  onPreJoinUpdate?: (from: NodeId) => void;
  private readonly attaching = new Set<NodeId>();
  /** Peers that failed or left, with the time until which they are not re-attached. */
  private readonly holdDown = new Map<NodeId, number>();
  private flush?: Cancel;
  private updateTimer?: Cancel;
  private fingerTimer?: Cancel;
  private range: ResponsibleRange | undefined;
  private firstFingerRound = true;
  private readonly disagreements: DisagreementReplies;

  constructor(private readonly core: NodeCore) {
    this.disagreements = new DisagreementReplies(core.settings.updateIntervalMs);
    // Bound once: timers reuse these instead of a fresh closure per tick.
    this.onUpdateTimer = this.onUpdateTimer.bind(this);
    this.onFingerTimer = this.onFingerTimer.bind(this);
    this.flushUpdates = this.flushUpdates.bind(this);
  }

  /** The node is now part of the ring: publish, tell the neighbours, start the timers. */
  becomeJoined(): void {
    this.joined = true;
    this.preJoinUpdates.clear();
    this.neighborsChanged();
    this.scheduleFlush();
    const s = this.core.settings;
    this.updateTimer = this.core.clock.schedule(this.jitter(s.updateIntervalMs), this.onUpdateTimer);
    this.firstFingerRound = true;
    this.fingerTimer = this.core.clock.schedule(0, this.onFingerTimer);
    this.core.emitJoined();
  }

  stop(): void {
    this.joined = false;
    this.flush?.cancel();
    this.updateTimer?.cancel();
    this.fingerTimer?.cancel();
    this.core.attaches.clear();
    this.preJoinUpdates.clear();
    this.core.table.neighbors.clear();
    this.core.table.fingers.clear();
    this.neighborsChanged();
  }

  responsibleRange(): ResponsibleRange | undefined {
    return this.joined ? this.core.table.responsibleRange() : undefined;
  }

  isHeldDown(id: NodeId): boolean {
    const until = this.holdDown.get(id);
    if (until === undefined) return false;
    if (until > this.core.clock.now()) return true;
    this.holdDown.delete(id);
    return false;
  }

  clearHoldDown(id: NodeId): void {
    this.holdDown.delete(id);
  }

  /**
   * Offers peers learned from `teller` (an Update, a Leave, a join). Connected ones the
   * neighbour table wants are adopted now; the others are attached to first, source-routed
   * through the teller, who is connected to them (RFC 6940 §10.5).
   */
  offer(ids: readonly NodeId[], teller?: NodeId): void {
    const { table, connections, self } = this.core;
    const adopt: NodeId[] = [];
    for (const id of ids) {
      if (id === self || this.isHeldDown(id)) continue;
      if (table.neighbors.wants(id)) {
        if (connections.has(id)) adopt.push(id);
        else this.scheduleAttach(id, teller);
      } else if (connections.has(id)) {
        this.offerFinger(id);
      }
    }
    if (adopt.length > 0 && table.neighbors.rebuild(adopt)) this.neighborsChanged();
  }

  /** Connects to `id` (through `teller` when given) unless already connected. */
  async connectTo(id: NodeId, teller?: NodeId): Promise<void> {
    if (this.core.connections.has(id)) return;
    const path =
      teller !== undefined && teller !== id
        ? [nodeDestination(teller), nodeDestination(id)]
        : [nodeDestination(id)];
    await attach(this.core, path);
  }

  /** A connected peer fills an empty or invalid finger slot it falls in. */
  offerFinger(id: NodeId): void {
    const fingers = this.core.table.fingers;
    const slot = fingers.slotFor(id);
    if (slot > 0 && !fingers.isValid(slot)) fingers.set(slot, id);
  }

  /** A link went down (failure, or the remote closed it). */
  linkDown(id: NodeId): void {
    const { table, settings, clock } = this.core;
    const removed = table.remove(id);
    if (!removed.neighbor && !removed.finger) return;
    this.holdDown.set(id, clock.now() + settings.failedPeerHoldDownMs);
    if (removed.neighbor) {
      // Refill from the fingers: the nearest of them are the best replacements known locally.
      table.neighbors.rebuild(table.fingers.values());
      table.refilledNeighbors(clock.now() + settings.updateIntervalMs);
      this.neighborsChanged();
    }
  }

  /** A link is up: an Attach requester that asked for send_update now gets our tables. */
  linkUp(id: NodeId): void {
    if (this.core.attaches.linkArrived(id)) this.sendUpdate(id, 'full');
  }

  /** A peer announced it is leaving (RFC 6940 §10.7.3): drop it, adopt what it handed over. */
  peerLeft(id: NodeId, handedOver: readonly NodeId[]): void {
    const { table, settings, clock } = this.core;
    this.holdDown.set(id, clock.now() + settings.failedPeerHoldDownMs);
    const removed = table.remove(id);
    if (removed.neighbor) {
      table.neighbors.rebuild(table.fingers.values());
      table.refilledNeighbors(clock.now() + settings.updateIntervalMs);
      this.neighborsChanged();
    }
    this.offer(handedOver);
  }

  /** A joiner's Join was accepted here (the admitting peer's side). */
  admit(id: NodeId): void {
    this.clearHoldDown(id);
    if (this.core.table.neighbors.rebuild([id])) this.neighborsChanged();
    // The joiner and our neighbours hear of the change even without reactive recovery.
    this.scheduleFlush();
  }

  applyUpdate(from: NodeId, update: ChordUpdate): void {
    this.clearHoldDown(from);
    if (!this.joined) {
      this.preJoinUpdates.set(from, update);
      this.onPreJoinUpdate?.(from);
      return;
    }
    this.offer([from, ...update.successors, ...update.predecessors, ...update.fingers], from);
    const self = this.core.self;
    const knowsUs = update.successors.includes(self) || update.predecessors.includes(self);
    // Views disagree: a neighbour whose lists miss us has not heard of us yet, and a node that
    // lists us although we do not list it has a stale view (e.g. a joiner whose admitting peer
    // found closer neighbours meanwhile). Either way, our view now rather than next period.
    const weList = this.core.table.neighbors.has(from);
    if (update.type === 'peer_ready' || knowsUs === weList) return;
    const { successors, predecessors } = this.core.table.neighbors;
    const view = `${successors.join(',')}/${predecessors.join(',')}`;
    if (this.disagreements.shouldAnswer(from, view, this.core.clock.now()))
      this.sendUpdate(from, 'neighbors');
  }

  buildUpdate(type: ChordUpdateType): ChordUpdate {
    const { table, clock, startedAt } = this.core;
    const lists = type !== 'peer_ready';
    return {
      uptimeS: Math.floor((clock.now() - startedAt) / 1000),
      type,
      predecessors: lists ? table.neighbors.predecessors : [],
      successors: lists ? table.neighbors.successors : [],
      fingers: type === 'full' ? table.fingers.values() : [],
    };
  }

  sendUpdate(to: NodeId, type: ChordUpdateType): void {
    const body: UpdateRequest = { type: 'update_req', update: this.buildUpdate(type) };
    this.core.request([nodeDestination(to)], body).catch((error: unknown) => {
      this.core.logger.debug({ to: idToHex(to), error }, 'update not answered');
    });
  }

  /** Publishes a neighbour-set change: events, and reactive Updates. */
  neighborsChanged(): void {
    this.core.emitNeighborsChanged();
    const range = this.responsibleRange();
    const old = this.range;
    if (old?.from !== range?.from || old?.to !== range?.to) {
      this.range = range;
      this.core.emitResponsibilityChanged(old, range);
    }
    if (this.joined && this.core.settings.reactive) this.scheduleFlush();
  }

  private scheduleAttach(id: NodeId, teller?: NodeId): void {
    if (this.attaching.has(id)) return;
    this.attaching.add(id);
    this.connectTo(id, teller).then(
      () => {
        this.attaching.delete(id);
        this.offer([id]);
      },
      (error: unknown) => {
        this.attaching.delete(id);
        // No free slot: not the candidate's fault; the next Update offers it again.
        if (error instanceof AttachLimitError) return;
        this.holdDown.set(id, this.core.clock.now() + this.core.settings.failedPeerHoldDownMs);
        this.core.logger.debug({ peer: idToHex(id), error }, 'attach to candidate failed');
      },
    );
  }

  /** Many changes in one burst cause one round of Updates. */
  private scheduleFlush(): void {
    if (this.flush) return;
    this.flush = this.core.clock.schedule(0, this.flushUpdates);
  }

  private flushUpdates(): void {
    this.flush = undefined;
    if (!this.joined) return;
    for (const n of this.core.table.neighbors.all()) this.sendUpdate(n, 'neighbors');
  }

  private onUpdateTimer(): void {
    if (!this.joined) return;
    this.flushUpdates();
    this.sweepHoldDown();
    this.disagreements.sweep(this.core.clock.now());
    this.updateTimer = this.core.clock.schedule(
      this.jitter(this.core.settings.updateIntervalMs),
      this.onUpdateTimer,
    );
  }

  private onFingerTimer(): void {
    if (!this.joined) return;
    refreshFingers(this.core, this, this.firstFingerRound);
    this.firstFingerRound = false;
    this.fingerTimer = this.core.clock.schedule(
      this.jitter(this.core.settings.pingIntervalMs),
      this.onFingerTimer,
    );
  }

  private sweepHoldDown(): void {
    const now = this.core.clock.now();
    for (const [id, until] of this.holdDown) if (until <= now) this.holdDown.delete(id);
  }

  private jitter(ms: number): number {
    return jittered(ms, this.core.settings.timerJitter, this.core.random);
  }
}
