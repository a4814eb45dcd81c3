import type { NodeId, ResourceId } from '@p2psip/identity';
import {
  ErrorCode,
  type OverlayNode,
  ReloadError,
  type RequestOptions,
  nodeDestination,
  resourceDestination,
} from '@p2psip/overlay';
import type { KindRecord } from '../model';
import { type StorageRules, versionOf, withRemainingLifetime } from '../storage-rules';
import type { StoreRequest } from './messages';
import { placementOf } from './replica-placement';
import type { StorageSettings } from './storage-settings';

/** Answers after which a returned value needs no further attempt (newer there, or never storable). */
const SETTLED: ReadonlySet<number> = new Set([
  ErrorCode.DataTooOld,
  ErrorCode.Forbidden,
  ErrorCode.UnknownKind,
  ErrorCode.DataTooLarge,
  ErrorCode.InvalidMessage,
]);

/**
 * Keeps every value at its owner and on the owner's next `replicas` successors as the ring
 * changes (RFC 6940 §10.7): owners copy to their successors (new successors after a hold-down),
 * replica holders make sure the current owner has the data (a join or a failure moved it), and
 * peers outside a resource's replica set hand it to the owner, then drop their copy.
 */
export class ReplicaKeeper {
  /** Distinct resources held after the last pass (Probe's num_resources). */
  resourceCount = 0;
  /** When each current successor became one (-Infinity: no hold-down for it). */
  private readonly successorSince = new Map<NodeId, number>();
  /** Per peer, the version of each resource it confirmed holding (forgotten when roles change). */
  private readonly synced = new Map<NodeId, Map<bigint, string>>();
  /** Resources this peer should no longer hold, since when: dropped only after a grace period. */
  private readonly outsideSince = new Map<bigint, number>();
  /**
   * Resources outside every known arc whose values the owner confirmed (or can never take), by the
   * version handed: one routed Store per value, not one per pass for the whole grace period.
   */
  private readonly returned = new Map<bigint, string>();
  private lastSuccessors: readonly NodeId[] = [];
  private lastRoles = '';
  private lastResync = 0;
  private running?: Promise<void>;
  private rerun = false;

  constructor(
    private readonly node: OverlayNode,
    private readonly rules: StorageRules,
    private readonly settings: StorageSettings,
  ) {}

  /** Successors present when the node joins are not replacements: no hold-down for them. */
  onJoined(): void {
    for (const s of this.node.neighbors().successors) this.successorSince.set(s, -Infinity);
    this.onNeighborsChanged();
  }

  onNeighborsChanged(): void {
    const { successors, predecessors } = this.node.neighbors();
    const now = this.node.clock.now();
    const stillThere = this.lastSuccessors.filter((s) => successors.includes(s));
    for (const [i, s] of successors.entries()) {
      if (this.successorSince.has(s)) continue;
      // A node inserted before a successor that is still there joined between us: it needs its
      // copies now. One that only fills the end of the list replaces a lost successor: the
      // RFC 6940 §10.7 hold-down applies, in case the loss was transient.
      const joined = stillThere.some((old) => successors.indexOf(old) > i);
      this.successorSince.set(s, joined ? -Infinity : now);
    }
    for (const s of this.successorSince.keys()) if (!successors.includes(s)) this.successorSince.delete(s);
    this.lastSuccessors = [...successors];
    // Who holds what follows from the replica set and the owners before us; when either changes,
    // earlier confirmations say nothing about the new roles: copy again (copies merge, cheaply).
    const roles = [...this.replicaTargets(), '|', ...predecessors.slice(0, this.settings.replicas + 1)].join(
      ',',
    );
    if (roles !== this.lastRoles) this.synced.clear();
    this.lastRoles = roles;
  }

  isNeighbor(id: NodeId): boolean {
    const { successors, predecessors } = this.node.neighbors();
    return successors.includes(id) || predecessors.includes(id);
  }

  /** The successors that confirmed holding this peer's current copy of a resource it owns. */
  async confirmedReplicas(resourceId: ResourceId): Promise<NodeId[]> {
    const version = versionOf(await this.rules.recordsAt(resourceId));
    return this.replicaTargets().filter((s) => this.synced.get(s)?.get(resourceId) === version);
  }

  /** After a user's Store: copies to the current replica set at once; returns who confirmed. */
  async replicateNow(resourceId: ResourceId): Promise<NodeId[]> {
    const records = await this.rules.recordsAt(resourceId);
    const targets = this.replicaTargets();
    const done = await Promise.all(targets.map((s, i) => this.copy(s, resourceId, records, i + 1)));
    return targets.filter((_, i) => done[i]);
  }

  /** Before a graceful leave: the successor takes over this peer's range with everything in it. */
  async handOff(options: RequestOptions = {}): Promise<number> {
    const successor = this.node.neighbors().successors[0];
    if (successor === undefined || successor === this.node.nodeId) return 0;
    let handed = 0;
    for (const [resourceId, records] of await this.heldByResource()) {
      if (options.signal?.aborted) break;
      const placement = this.placement(resourceId);
      if (placement?.rank !== 0) continue;
      if (await this.copy(successor, resourceId, records, 1, options.signal)) handed++;
    }
    return handed;
  }

  /**
   * One pass over everything held: expiry, replicas, hand-offs and drops. Never runs twice at
   * once; a request during a pass runs one more pass after it (the topology may have moved).
   */
  maintain(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.rerun = false;
        await this.pass();
      } while (this.rerun);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    if (!this.node.isJoined()) return;
    const now = this.node.clock.now();
    // Confirmations can go stale silently (a replica lost its disk): now and then, copy again.
    if (now - this.lastResync >= this.settings.resyncIntervalMs) {
      this.synced.clear();
      this.returned.clear();
      this.lastResync = now;
    }
    const held = await this.heldByResource();
    this.resourceCount = held.size;
    for (const [resourceId, records] of held) {
      try {
        await this.keep(resourceId, records, now);
      } catch (error) {
        // One resource's trouble (a corrupt record, a closing store) must not starve the others.
        this.node.logger.warn(
          { error, resource: resourceId.toString(16) },
          'storage maintenance of a resource failed',
        );
      }
    }
    for (const id of this.outsideSince.keys()) if (!held.has(id as ResourceId)) this.outsideSince.delete(id);
    for (const id of this.returned.keys()) if (!held.has(id as ResourceId)) this.returned.delete(id);
    for (const map of this.synced.values())
      for (const id of map.keys()) if (!held.has(id as ResourceId)) map.delete(id);
  }

  private async keep(resourceId: ResourceId, records: readonly KindRecord[], now: number): Promise<void> {
    const placement = this.placement(resourceId);
    const inside = placement !== undefined && placement.rank >= 0 && placement.rank <= this.settings.replicas;
    if (placement) this.returned.delete(resourceId);
    if (inside) this.outsideSince.delete(resourceId);
    if (placement?.rank === 0) {
      const eligible = this.replicaTargets().filter((s) => this.pastHoldDown(s));
      await Promise.all(eligible.map((s, i) => this.copyIfStale(s, resourceId, records, i + 1)));
      return;
    }
    if (inside) {
      // A replica holder: make sure the owner has it (it may have just joined or taken over).
      await this.copyIfStale(placement.owner, resourceId, records, placement.rank);
      return;
    }
    // Not ours to keep: hand it to the owner, and drop it only after a grace period, so the owner
    // has had time to place its own replicas (a join moves roles before copies follow).
    const since = this.outsideSince.get(resourceId) ?? now;
    this.outsideSince.set(resourceId, since);
    const handed = placement
      ? await this.copyIfStale(placement.owner, resourceId, records, 1)
      : await this.returnOnce(resourceId, records);
    if (handed && now - since >= this.settings.replicaHoldDownMs) {
      await this.rules.dropIfUnchanged(resourceId, versionOf(records));
      this.outsideSince.delete(resourceId);
      this.returned.delete(resourceId);
    }
  }

  /** Live records grouped by resource, after dropping expired values from the store. */
  private async heldByResource(): Promise<Map<ResourceId, KindRecord[]>> {
    const now = this.node.clock.now();
    const all = await this.rules.allRecords();
    const stale = all.filter((r) => r.values.some((v) => v.expiresAtMs <= now));
    if (stale.length > 0) await this.rules.expire(stale);
    const byResource = new Map<ResourceId, KindRecord[]>();
    for (const record of all) {
      const values = record.values.filter((v) => v.expiresAtMs > now);
      if (values.length === 0) continue;
      const list = byResource.get(record.resourceId) ?? [];
      list.push({ ...record, values });
      byResource.set(record.resourceId, list);
    }
    return byResource;
  }

  /** This peer's rank behind a resource's owner (0 = owner), undefined outside the known arcs. */
  rankOf(resourceId: bigint): number | undefined {
    return this.placement(resourceId)?.rank;
  }

  private placement(resourceId: bigint) {
    const { predecessors, successors } = this.node.neighbors();
    return placementOf(resourceId, this.node.nodeId, predecessors, successors);
  }

  private replicaTargets(): NodeId[] {
    return this.node
      .neighbors()
      .successors.filter((s) => s !== this.node.nodeId)
      .slice(0, this.settings.replicas);
  }

  private pastHoldDown(successor: NodeId): boolean {
    const since = this.successorSince.get(successor) ?? this.node.clock.now();
    return this.node.clock.now() - since >= this.settings.replicaHoldDownMs;
  }

  private async copyIfStale(
    target: NodeId,
    resourceId: ResourceId,
    records: readonly KindRecord[],
    replicaNumber: number,
  ): Promise<boolean> {
    if (this.synced.get(target)?.get(resourceId) === versionOf(records)) return true;
    return this.copy(target, resourceId, records, replicaNumber);
  }

  /** Copies a resource to a neighbour (replica_number > 0); true when it confirmed. */
  private async copy(
    target: NodeId,
    resourceId: ResourceId,
    records: readonly KindRecord[],
    replicaNumber: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (target === this.node.nodeId || records.length === 0) return false;
    const now = this.node.clock.now();
    const body: StoreRequest = {
      type: 'store_req',
      resourceId,
      replicaNumber,
      kindData: records.map((r) => ({
        kind: r.kind,
        generation: r.generation,
        values: r.values.map((v) => withRemainingLifetime(v, now)),
      })),
    };
    try {
      await this.withDeadline(signal, (s) => this.node.request(nodeDestination(target), body, { signal: s }));
      let map = this.synced.get(target);
      if (!map) {
        map = new Map<bigint, string>();
        this.synced.set(target, map);
      }
      map.set(resourceId, versionOf(records));
      return true;
    } catch (error) {
      this.node.logger.debug(
        { error, target: target.toString(16), resource: resourceId.toString(16) },
        'copy failed',
      );
      return false;
    }
  }

  private async returnOnce(resourceId: ResourceId, records: readonly KindRecord[]): Promise<boolean> {
    const version = versionOf(records);
    if (this.returned.get(resourceId) === version) return true;
    const handed = await this.returnToOwner(resourceId, records);
    if (handed) this.returned.set(resourceId, version);
    return handed;
  }

  /**
   * A resource outside every arc this peer knows (it was away, or the ring moved far): re-store it
   * through the overlay as its users would (generation 0, signatures intact), one value at a time.
   * True when the owner has every value, or newer ones, or a value can never be stored (its
   * signer is no longer valid, its kind is gone): then this copy is no longer needed.
   */
  private async returnToOwner(resourceId: ResourceId, records: readonly KindRecord[]): Promise<boolean> {
    for (const record of records) {
      for (const value of record.values) {
        const body: StoreRequest = {
          type: 'store_req',
          resourceId,
          replicaNumber: 0,
          kindData: [
            {
              kind: record.kind,
              generation: 0n,
              values: [withRemainingLifetime(value, this.node.clock.now())],
            },
          ],
        };
        try {
          await this.withDeadline(undefined, (s) =>
            this.node.request(resourceDestination(resourceId), body, { signal: s }),
          );
        } catch (error) {
          if (!(error instanceof ReloadError) || !SETTLED.has(error.errorCode)) return false;
        }
      }
    }
    return true;
  }

  /** Runs a request under the copy deadline on the node's clock (virtual in the simulator). */
  private async withDeadline<T>(
    outer: AbortSignal | undefined,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const timer = this.node.clock.schedule(this.settings.copyTimeoutMs, () => controller.abort());
    const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
    try {
      return await run(signal);
    } finally {
      timer.cancel();
    }
  }
}
