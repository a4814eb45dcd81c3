import type { NodeId, ResourceId } from '@p2psip/identity';
import {
  type Answer,
  type Cancel,
  type Destination,
  ErrorCode,
  type IncomingRequest,
  type OverlayNode,
  ReloadError,
  type RequestOptions,
  nodeDestination,
  resourceDestination,
} from '@p2psip/overlay';
import type { KindRecord, StoredDataSpecifier } from '../model';
import type {
  FetchKindResult,
  FindKindResult,
  StatKindResult,
  StoreKindData,
  StoreKindResult,
} from '../operations';
import { type StorageRules, liveValues } from '../storage-rules';
import { checkStorageRequest } from './check-request';
import type {
  FetchAnswer,
  FetchRequest,
  FindAnswer,
  FindRequest,
  StatAnswer,
  StatRequest,
  StoreAnswer,
  StoreRequest,
} from './messages';
import { ReplicaKeeper } from './replica-keeper';
import { type StorageSettings, notResponsible, resolveStorageSettings } from './storage-settings';

export interface OverlayStorageInit {
  readonly node: OverlayNode;
  readonly rules: StorageRules;
  readonly settings?: Partial<StorageSettings>;
}

/**
 * RELOAD storage on one overlay peer: answers Store/Fetch/Stat/Find (RFC 6940 §7.4), keeps
 * replicas on the next successors and moves data as the ring changes (§10.7), and originates
 * storage requests for itself and for the thin clients attached to it.
 */
export class OverlayStorage {
  readonly settings: StorageSettings;
  private readonly node: OverlayNode;
  private readonly rules: StorageRules;
  private readonly keeper: ReplicaKeeper;
  private timer?: Cancel;
  /** When the scheduled pass runs (node clock). */
  private due = 0;
  private stopped = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(init: OverlayStorageInit) {
    this.node = init.node;
    this.rules = init.rules;
    this.settings = resolveStorageSettings(init.settings);
    // A replica holder ranks itself behind the owner through its predecessor list.
    if (this.node.settings.predecessors < this.settings.replicas + 1) {
      throw new RangeError(
        `${this.settings.replicas} replicas need at least ${this.settings.replicas + 1} predecessors`,
      );
    }
    this.keeper = new ReplicaKeeper(this.node, this.rules, this.settings);
    this.node.handle<StoreRequest>('store_req', (r) => this.onStore(r));
    this.node.handle<FetchRequest>('fetch_req', (r) => this.onFetch(r));
    this.node.handle<StatRequest>('stat_req', (r) => this.onStat(r));
    this.node.handle<FindRequest>('find_req', (r) => this.onFind(r));
    this.node.setResourceCounter(() => this.keeper.resourceCount);
    this.unsubscribe.push(
      this.node.on('joined', () => {
        this.keeper.onJoined();
        this.scheduleMaintenance(this.settings.topologySettleMs);
      }),
      this.node.on('neighborsChanged', () => {
        this.keeper.onNeighborsChanged();
        this.scheduleMaintenance(this.settings.topologySettleMs);
      }),
      // A joiner took part of our range (RFC 6940 §10.5 step 6): hand its data over at once.
      this.node.on('responsibilityChanged', () => this.scheduleMaintenance(0)),
    );
    if (this.node.isJoined()) this.keeper.onJoined();
    this.scheduleMaintenance(this.settings.maintenanceIntervalMs);
  }

  /** Stops the periodic work; handlers stay registered (the node is stopping anyway). */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Before a graceful leave: hands every value this peer is responsible for to its successor. */
  handOff(options: RequestOptions = {}): Promise<number> {
    return this.keeper.handOff(options);
  }

  /** One replication / hand-off / expiry pass now (tests, and the periodic timer). */
  maintain(): Promise<void> {
    return this.keeper.maintain();
  }

  /**
   * What this peer holds (live values only), with its role for each resource: 0 = responsible,
   * k = the owner's k-th successor (a replica), undefined = outside the arcs it knows.
   */
  async held(): Promise<{ record: KindRecord; rank: number | undefined }[]> {
    const now = this.node.clock.now();
    const records = await this.rules.allRecords();
    return records
      .map((record) => ({
        record: { ...record, values: liveValues(record, now) },
        rank: this.keeper.rankOf(record.resourceId),
      }))
      .filter((entry) => entry.record.values.length > 0);
  }

  // --- originating ------------------------------------------------------------------------------

  /** Stores values (already signed by their user) at the peer responsible for the resource. */
  async store(
    resourceId: ResourceId,
    kindData: readonly StoreKindData[],
    options: RequestOptions = {},
  ): Promise<{ results: readonly StoreKindResult[]; from: NodeId }> {
    const body: StoreRequest = { type: 'store_req', resourceId, replicaNumber: 0, kindData };
    const answer = await this.send<StoreAnswer>(resourceDestination(resourceId), body, options);
    return { results: answer.body.kindResponses, from: answer.from };
  }

  /**
   * Fetches values from the responsible peer (or, with `at`, from one given peer). The caller
   * verifies every value's signature itself (RFC 6940 §7.4.2.2).
   */
  async fetch(
    resourceId: ResourceId,
    specifiers: readonly StoredDataSpecifier[],
    options: RequestOptions & { at?: NodeId } = {},
  ): Promise<{ results: readonly FetchKindResult[]; from: NodeId }> {
    const body: FetchRequest = { type: 'fetch_req', resourceId, specifiers };
    const answer = await this.send<FetchAnswer>(this.target(resourceId, options.at), body, options);
    return { results: answer.body.kindResponses, from: answer.from };
  }

  async stat(
    resourceId: ResourceId,
    specifiers: readonly StoredDataSpecifier[],
    options: RequestOptions & { at?: NodeId } = {},
  ): Promise<{ results: readonly StatKindResult[]; from: NodeId }> {
    const body: StatRequest = { type: 'stat_req', resourceId, specifiers };
    const answer = await this.send<StatAnswer>(this.target(resourceId, options.at), body, options);
    return { results: answer.body.kindResponses, from: answer.from };
  }

  async find(
    resourceId: ResourceId,
    kinds: readonly number[],
    options: RequestOptions = {},
  ): Promise<{ results: readonly FindKindResult[]; from: NodeId }> {
    const body: FindRequest = { type: 'find_req', resourceId, kinds };
    const answer = await this.send<FindAnswer>(resourceDestination(resourceId), body, options);
    return { results: answer.body.results, from: answer.from };
  }

  // --- answering --------------------------------------------------------------------------------

  private async onStore(r: IncomingRequest<StoreRequest>): Promise<StoreAnswer> {
    const body = checkStorageRequest(r.body);
    if (body.replicaNumber === 0) {
      if (!this.node.isResponsible(body.resourceId)) throw notResponsible('Store');
      const stored = await this.rules.store(body.resourceId, body.kindData, { mode: 'original' });
      // The answer waits for the replicas, so a stored value survives its owner failing at once.
      const replicas = await this.keeper.replicateNow(body.resourceId);
      return { type: 'store_ans', kindResponses: stored.map((k) => ({ ...k, replicas })) };
    }
    // Copies between peers (replicas, hand-offs) come straight from a neighbour, never relayed.
    if (r.hops !== 1 || r.link?.remoteNodeId !== r.origin || !this.keeper.isNeighbor(r.origin)) {
      throw new ReloadError(ErrorCode.Forbidden, 'replica stores are accepted from direct neighbours only');
    }
    const stored = await this.rules.store(body.resourceId, body.kindData, { mode: 'replica' });
    return { type: 'store_ans', kindResponses: stored.map((k) => ({ ...k, replicas: [] })) };
  }

  // Fetch and Stat answer from what this peer holds: routed by Resource-ID they reach the
  // responsible peer; addressed to a Node-ID they ask that peer about its copy (replica checks).
  private async onFetch(r: IncomingRequest<FetchRequest>): Promise<FetchAnswer> {
    const body = checkStorageRequest(r.body);
    return { type: 'fetch_ans', kindResponses: await this.rules.fetch(body.resourceId, body.specifiers) };
  }

  private async onStat(r: IncomingRequest<StatRequest>): Promise<StatAnswer> {
    const body = checkStorageRequest(r.body);
    const results = await this.rules.stat(body.resourceId, body.specifiers);
    const replicas = this.node.isResponsible(body.resourceId)
      ? await this.keeper.confirmedReplicas(body.resourceId)
      : [];
    return { type: 'stat_ans', kindResponses: results.map((k) => ({ ...k, replicas })) };
  }

  private async onFind(r: IncomingRequest<FindRequest>): Promise<FindAnswer> {
    const body = checkStorageRequest(r.body);
    const range = this.node.responsibleRange();
    if (!range || !this.node.isResponsible(body.resourceId)) throw notResponsible('Find');
    return {
      type: 'find_ans',
      results: await this.rules.find(body.resourceId, body.kinds, range.from, range.to),
    };
  }

  // --- internals --------------------------------------------------------------------------------

  private target(resourceId: ResourceId, at: NodeId | undefined): Destination {
    return at === undefined ? resourceDestination(resourceId) : nodeDestination(at);
  }

  private async send<B extends StoreAnswer | FetchAnswer | StatAnswer | FindAnswer>(
    destination: Destination,
    body: StoreRequest | FetchRequest | StatRequest | FindRequest,
    options: RequestOptions,
  ): Promise<Answer<B>> {
    const answer = await this.node.request(destination, body, options);
    const expected = body.type.replace('_req', '_ans');
    if (answer.body.type !== expected) {
      throw new ReloadError(ErrorCode.InvalidMessage, `expected ${expected}, got ${answer.body.type}`);
    }
    return answer as Answer<B>;
  }

  /** Runs a pass after `delayMs` (jittered), unless one is already due sooner. */
  private scheduleMaintenance(delayMs: number): void {
    if (this.stopped) return;
    // The node's random source, so simulator runs stay reproducible.
    const [a, b] = this.node.random(2);
    const delay = Math.round(delayMs * (0.75 + ((a << 8) | b) / 0x20000));
    const due = this.node.clock.now() + delay;
    if (this.timer && this.due <= due) return;
    this.timer?.cancel();
    this.due = due;
    this.timer = this.node.clock.schedule(delay, () => {
      this.timer = undefined;
      if (this.stopped) return;
      this.keeper
        .maintain()
        .catch((error: unknown) => this.node.logger.warn({ error }, 'storage maintenance failed'))
        .finally(() => this.scheduleMaintenance(this.settings.maintenanceIntervalMs));
    });
  }
}
