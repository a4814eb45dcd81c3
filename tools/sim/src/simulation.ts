import type { NodeId } from '@p2psip/identity';
import type { OverlayNode } from '@p2psip/overlay';
import {
  SeededRandom,
  type Testnet,
  type TestnetNode,
  createTestnet,
  installRouteProbe,
} from '@p2psip/overlay/testing';
import { type SessionDistribution, sampleDowntime, sessionDistribution } from './churn';
import type { SimConfig } from './config';
import { checkTables } from './correctness';
import { type PairDelay, pairDelay } from './delay';
import { PhaseMeters, type PhaseName } from './phase-meters';
import type { PeerStorage, RegistrationSet } from './registrations';
import { RingTruth } from './ring-truth';
import { TrafficMeter } from './traffic';
import { Workload } from './workload';

/** One simulated peer: a testnet member with its overlay node and, with a storage workload, storage. */
export interface SimPeer {
  readonly member: TestnetNode;
  readonly node: OverlayNode;
  readonly storage?: PeerStorage;
  joined: boolean;
  dead: boolean;
}

/** Where a run stands, for the progress bar. */
export interface SimProgress {
  readonly phase: PhaseName;
  readonly virtualMs: number;
  readonly endMs: number;
  readonly live: number;
}

export interface SimHooks {
  /** Called often (every time step); keep it cheap. */
  readonly onStep?: (progress: () => SimProgress) => void;
  /** After the initial joins (memory per node is measured here). */
  readonly onJoined?: () => void;
}

/** Peers checked per routing-table sample: enough for a ±1 % fraction, cheap at 100,000 nodes. */
const TABLE_SAMPLE = 1000;
/** After the measurement, how long the last lookups and fetches may take to settle, ms. */
const DRAIN_MS = 20_000;

/**
 * A run of the real overlay (and storage) core on the testnet's in-memory network and virtual
 * clock: initial joins at a fixed rate, churn by session times, a lookup and storage workload,
 * measurements per phase (join, warm-up, measurement).
 */
export class Simulation {
  readonly net: Testnet;
  readonly truth = new RingTruth();
  readonly peers = new Map<NodeId, SimPeer>();
  readonly meters: Record<PhaseName, PhaseMeters>;
  readonly traffic: TrafficMeter;
  readonly sessions: SessionDistribution;
  readonly delay: PairDelay;
  readonly churnRandom: SeededRandom;
  readonly lossRandom: SeededRandom;
  readonly workload: Workload;
  phase: PhaseName = 'join';
  alive = 0;
  joinFailures = 0;
  departures = 0;
  private phaseEndMs = 0;
  private lastCountMs = 0;

  constructor(
    readonly config: SimConfig,
    readonly registrations?: RegistrationSet,
  ) {
    this.sessions = sessionDistribution({
      model: config.churn,
      sessionMeanMs: config.sessionMeanMs,
      sessionMedianMs: config.sessionMedianMs,
      shape: config.churnShape,
    });
    this.delay = pairDelay({ model: config.delay, minMs: config.delayMinMs, maxMs: config.delayMaxMs });
    const delay = this.delay;
    this.net = createTestnet(0, {
      seed: config.seed,
      failureDetectionMs: config.failureDetectionMs,
      settings: { updateIntervalMs: config.updateIntervalMs, pingIntervalMs: config.pingIntervalMs },
      delay: (a, b) => delay.delayMs((a as TestnetNode).index, (b as TestnetNode).index),
    });
    // Independent streams: churn and loss decisions do not shift the nodes' own random draws.
    this.churnRandom = new SeededRandom(config.seed * 7919 + 1);
    this.lossRandom = new SeededRandom(config.seed * 104729 + 2);
    this.traffic = new TrafficMeter(config.byteSampleEvery);
    this.meters = {
      join: new PhaseMeters(),
      warmup: new PhaseMeters(),
      measure: new PhaseMeters(),
      drain: new PhaseMeters(),
    };
    this.net.network.observer = (message) => this.traffic.observe(message, this.meters[this.phase].traffic);
    if (config.loss > 0) this.net.lossHook = () => this.lossRandom.next() < config.loss;
    this.workload = new Workload(this, new SeededRandom(config.seed * 65537 + 3));
  }

  get clock() {
    return this.net.clock;
  }

  /** Runs the join phase, the warm-up and the measurement; resolves when the drain is over. */
  async run(hooks: SimHooks = {}): Promise<void> {
    const c = this.config;
    const step = hooks.onStep;
    const progress = (): SimProgress => ({
      phase: this.phase,
      virtualMs: this.clock.now(),
      endMs: this.phaseEndMs,
      live: this.truth.size,
    });
    const tick = step ? (): boolean => (step(progress), false) : (): boolean => false;

    const first = this.createPeer();
    await first.node.start({ first: true });
    this.onJoined(first);
    const joinMs = ((c.nodes - 1) / c.joinRatePerS) * 1000;
    for (let i = 1; i < c.nodes; i++) {
      this.clock.schedule((i / c.joinRatePerS) * 1000, () => this.startPeer());
    }
    this.phaseEndMs = joinMs + 30_000;
    await this.net.runUntil(tick, this.phaseEndMs);
    hooks.onJoined?.();

    this.enterPhase('warmup', c.warmupMs);
    await this.net.runUntil(tick, c.warmupMs);

    this.enterPhase('measure', c.durationMs);
    this.workload.start(c.durationMs);
    this.clock.schedule(0, () => this.sampleTables());
    await this.net.runUntil(tick, c.durationMs);
    this.countNodeTime();
    this.workload.stop();
    // In-flight lookups and fetches settle; traffic meanwhile is not measured.
    this.phase = 'drain';
    await this.net.runUntil(() => this.workload.inFlight === 0, DRAIN_MS);
    await this.workload.finalAvailability();
    for (const meters of Object.values(this.meters)) this.traffic.finish(meters.traffic);
  }

  /** Live peers that completed their join (the truth's members), by index into the truth. */
  joinedPeer(i: number): SimPeer {
    return this.peers.get(this.truth.at(i)) as SimPeer;
  }

  randomJoinedPeer(random: SeededRandom): SimPeer | undefined {
    return this.truth.size === 0 ? undefined : this.joinedPeer(random.int(this.truth.size));
  }

  private enterPhase(phase: PhaseName, durationMs: number): void {
    this.countNodeTime();
    this.phase = phase;
    this.phaseEndMs = this.clock.now() + durationMs;
  }

  /** Integrates live nodes over time: traffic per node is divided by node-seconds. */
  private countNodeTime(): void {
    const now = this.clock.now();
    this.meters[this.phase].nodeSeconds += (this.alive * (now - this.lastCountMs)) / 1000;
    this.lastCountMs = now;
  }

  private createPeer(): SimPeer {
    const member = this.net.addNode();
    this.delay.place(member.index, this.churnRandom);
    const node = member.node;
    installRouteProbe(node);
    const peer: SimPeer = {
      member,
      node,
      storage: this.registrations?.attach(node),
      joined: false,
      dead: false,
    };
    this.peers.set(member.nodeId, peer);
    this.countNodeTime();
    this.alive++;
    const session = this.sessions.sample(this.churnRandom);
    if (Number.isFinite(session)) this.clock.schedule(session, () => this.depart(peer));
    return peer;
  }

  /** A new peer joins through a random joined one; a failed join is retried by a fresh peer. */
  private startPeer(): void {
    const via = this.randomJoinedPeer(this.churnRandom);
    if (!via) return void this.clock.schedule(1000, () => this.startPeer());
    const peer = this.createPeer();
    peer.node.start({ bootstrap: [via.member.address] }).then(
      () => {
        if (!peer.dead) this.onJoined(peer);
      },
      () => {
        if (peer.dead) return;
        this.joinFailures++;
        this.remove(peer);
        this.clock.schedule(1000, () => this.startPeer());
      },
    );
  }

  private onJoined(peer: SimPeer): void {
    peer.joined = true;
    this.truth.add(peer.member.nodeId);
  }

  /** A session ends: a crash (or, for `leaveFraction` of them, a graceful Leave); a replacement follows. */
  private depart(peer: SimPeer): void {
    if (peer.dead) return;
    this.departures++;
    const graceful = peer.joined && this.churnRandom.next() < this.config.leaveFraction;
    if (graceful) {
      this.truth.remove(peer.member.nodeId);
      peer.storage?.storage.stop();
      const leaving = peer.node.leave();
      leaving.finally(() => this.remove(peer)).catch(() => undefined);
    } else {
      this.net.network.kill(peer.member);
      this.remove(peer);
    }
    this.clock.schedule(sampleDowntime(this.config.downtimeMeanMs, this.churnRandom), () => this.startPeer());
  }

  /** Frees a departed peer: timers, pending requests and its place in the network. */
  private remove(peer: SimPeer): void {
    if (peer.dead) return;
    peer.dead = true;
    this.countNodeTime();
    this.alive--;
    this.truth.remove(peer.member.nodeId);
    peer.member.alive = false;
    peer.storage?.storage.stop();
    void peer.node.stop();
    this.net.network.unregister(peer.member);
    this.peers.delete(peer.member.nodeId);
  }

  private sampleTables(): void {
    if (this.phase !== 'measure') return;
    const n = this.truth.size;
    const count = Math.min(TABLE_SAMPLE, n);
    const nodes: OverlayNode[] = [];
    const stride = n / count;
    // A deterministic spread over the ring rather than random picks: no draw from any stream.
    for (let i = 0; i < count; i++) nodes.push(this.joinedPeer(Math.floor(i * stride)).node);
    this.meters.measure.tables.push({ atMs: this.clock.now(), live: n, ...checkTables(nodes, this.truth) });
    this.workload.sampleAvailability();
    this.clock.schedule(this.config.sampleIntervalMs, () => this.sampleTables());
  }
}
