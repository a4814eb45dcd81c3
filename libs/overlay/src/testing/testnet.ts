import { clockwiseDistance, nodeIdFromBytes, type NodeId, type RingId } from '@p2psip/identity';
import type { Link, RequestTimings } from '../components';
import { OverlayNode } from '../overlay-node';
import type { OverlaySettings } from '../settings';
import { MemoryNetwork, type DelayModel, type Endpoint, type LossHook } from './memory-network';
import { SeededRandom } from './prng';
import { VirtualClock } from './virtual-clock';

export interface TestnetOptions {
  /** Seed of node ids and of every node's random source. @default 1 */
  readonly seed?: number;
  readonly settings?: Partial<OverlaySettings>;
  /** One-way link delay, ms. @default 10 */
  readonly latencyMs?: number;
  /** Delay before the survivors see the links of a killed node close, ms. @default 1000 */
  readonly failureDetectionMs?: number;
  /** Per-pair one-way delay, ms (replaces `latencyMs`): the simulator's delay models. */
  readonly delay?: DelayModel;
  /** Where every node reports its request latencies. */
  readonly timings?: RequestTimings;
}

/** One testnet member. */
export class TestnetNode implements Endpoint {
  alive = true;
  node!: OverlayNode;

  constructor(
    readonly index: number,
    readonly nodeId: NodeId,
    readonly address: string,
  ) {}

  accept(link: Link): void {
    this.node.accept(link);
  }
}

/**
 * N overlay nodes over an in-memory network on a virtual clock, deterministic for a seed. Nodes
 * are created, not started: `startFirst`, `joinSequentially` or `joinConcurrently` form the ring.
 */
export class Testnet {
  readonly clock = new VirtualClock();
  readonly network: MemoryNetwork;
  readonly members: TestnetNode[] = [];
  readonly random: SeededRandom;
  /** Every Node-ID handed out: ids stay unique in O(1) per node, also at 100,000 nodes. */
  private readonly usedIds = new Set<NodeId>();

  constructor(
    n: number,
    private readonly options: TestnetOptions = {},
  ) {
    this.random = new SeededRandom(options.seed ?? 1);
    this.network = new MemoryNetwork(this.clock, options);
    for (let i = 0; i < n; i++) this.addNode();
  }

  get nodes(): OverlayNode[] {
    return this.members.map((m) => m.node);
  }

  /** A fresh member (not started). */
  addNode(): TestnetNode {
    const i = this.members.length;
    const member = new TestnetNode(i, this.freshId(), `node-${i}`);
    member.node = new OverlayNode(
      {
        clock: this.clock.forOwner(member),
        transport: this.network.transportFor(member),
        random: this.random.bytes,
        ...(this.options.timings ? { timings: this.options.timings } : {}),
      },
      { nodeId: member.nodeId, settings: this.options.settings },
    );
    this.network.register(member);
    this.members.push(member);
    return member;
  }

  /** Live members that are part of the ring. */
  live(): TestnetNode[] {
    return this.members.filter((m) => m.alive && m.node.isJoined());
  }

  set lossHook(hook: LossHook | undefined) {
    this.network.lossHook = hook;
  }

  async startFirst(): Promise<void> {
    await this.members[0].node.start({ first: true });
  }

  /** Node 0 forms the ring; the others join one after another through random earlier nodes. */
  async joinSequentially(maxMsEach = 60_000): Promise<void> {
    await this.startFirst();
    for (let i = 1; i < this.members.length; i++) {
      const via = this.members[this.random.int(i)];
      await this.settle(this.members[i].node.start({ bootstrap: [via.address] }), maxMsEach);
    }
  }

  /** Node 0 forms the ring; all others join at the same moment through it. */
  async joinConcurrently(maxMs = 120_000): Promise<void> {
    await this.startFirst();
    const joins = this.members.slice(1).map((m) => m.node.start({ bootstrap: [this.members[0].address] }));
    await this.settle(Promise.all(joins), maxMs);
  }

  /** Runs the clock until `promise` settles; throws its error, or after `maxMs` of virtual time. */
  async settle<T>(promise: Promise<T>, maxMs: number): Promise<T> {
    let done = false;
    const tracked = promise.finally(() => {
      done = true;
    });
    tracked.catch(() => undefined);
    await this.runUntil(() => done, maxMs);
    if (!done) throw new Error(`not settled within ${maxMs} ms of virtual time`);
    return tracked;
  }

  async runFor(ms: number): Promise<void> {
    await this.runUntil(() => false, ms);
  }

  /**
   * Runs events until `predicate` holds (checked whenever virtual time moves) or `maxMs` passed.
   * Promise continuations run between time steps, so async code sees the time its event ran at.
   */
  async runUntil(predicate: () => boolean, maxMs: number): Promise<boolean> {
    const end = this.clock.now() + maxMs;
    for (;;) {
      await drainMicrotasks();
      if (predicate()) return true;
      const t = this.clock.peekTime();
      if (t === undefined || t > end) break;
      while (this.clock.peekTime() === t) this.clock.runNext(end);
    }
    this.clock.advanceTo(end);
    await drainMicrotasks();
    return predicate();
  }

  /** Abrupt failure: no goodbye; the others see the links close after the detection delay. */
  killNode(i: number): void {
    this.network.kill(this.members[i]);
  }

  /** Every live node's first successor and predecessor match the sorted ids. */
  isRingConsistent(): boolean {
    const live = this.live().sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    if (live.length < 2) return live.length === 1;
    return live.every((m, i) => {
      const { successors, predecessors } = m.node.neighbors();
      const next = live[(i + 1) % live.length].nodeId;
      const prev = live[(i - 1 + live.length) % live.length].nodeId;
      return successors[0] === next && predecessors[0] === prev;
    });
  }

  /** The live member responsible for `id` by the sorted-id truth. */
  responsibleFor(id: RingId): TestnetNode {
    let best: TestnetNode | undefined;
    let bestDistance = 0n;
    for (const m of this.live()) {
      const d = clockwiseDistance(id, m.nodeId);
      if (!best || d < bestDistance) {
        best = m;
        bestDistance = d;
      }
    }
    if (!best) throw new Error('no live node');
    return best;
  }

  private freshId(): NodeId {
    for (;;) {
      const id = nodeIdFromBytes(this.random.bytes(16));
      if (id !== 0n && !this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }
}

export function createTestnet(n: number, options: TestnetOptions = {}): Testnet {
  return new Testnet(n, options);
}

function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
