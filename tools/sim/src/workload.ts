import { type RingId, nodeIdFromBytes } from '@p2psip/identity';
import type { Cancel } from '@p2psip/overlay';
import { type SeededRandom, routeProbe } from '@p2psip/overlay/testing';
import { REGISTRATION_KIND } from './registrations';
import type { Simulation } from './simulation';

const FETCH_SPEC = [{ kind: REGISTRATION_KIND, generation: 0n, selector: { model: 'SINGLE' as const } }];
/** Registrations are stored over this stretch at the start of the measurement, ms. */
const STORE_SPREAD_MS = 60_000;
const STORE_ATTEMPTS = 3;

/**
 * The load on the overlay: lookups (route probes to keys, answered by whoever thinks it is
 * responsible) as a Poisson stream from random live nodes, and, with registrations, users'
 * stores through random peers and fetches of random stored registrations.
 */
export class Workload {
  inFlight = 0;
  private readonly keys: RingId[] = [];
  private readonly zipfCdf: number[] = [];
  private readonly storedAt: boolean[] = [];
  private storedCount = 0;
  private lost = new Set<number>();
  private timers: Cancel[] = [];
  private running = false;

  constructor(
    private readonly sim: Simulation,
    private readonly random: SeededRandom,
  ) {
    const c = sim.config;
    if (c.keys === 'zipf') {
      let sum = 0;
      for (let k = 1; k <= c.keyCount; k++) {
        this.keys.push(nodeIdFromBytes(random.bytes(16)));
        sum += 1 / k ** c.zipfExponent;
        this.zipfCdf.push(sum);
      }
      for (let k = 0; k < this.zipfCdf.length; k++) this.zipfCdf[k] /= sum;
    }
  }

  start(durationMs: number): void {
    this.running = true;
    const c = this.sim.config;
    if (c.lookupsPerS > 0) this.poisson(c.lookupsPerS, () => this.lookup());
    const registrations = this.sim.registrations;
    if (registrations && c.registrations > 0) {
      const spread = Math.min(STORE_SPREAD_MS, durationMs / 4);
      for (let i = 0; i < c.registrations; i++) {
        const at = (i * spread) / c.registrations;
        this.timers.push(this.sim.clock.schedule(at, () => this.store(i, STORE_ATTEMPTS)));
      }
      if (c.fetchesPerS > 0) this.poisson(c.fetchesPerS, () => this.fetch());
    }
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  /** Records which stored registrations still have a live copy (see `AvailabilitySample`). */
  sampleAvailability(): void {
    if (!this.sim.registrations) return;
    this.inFlight++;
    this.countCopies()
      .then((copies) => {
        let under = 0;
        for (let i = 0; i < this.storedAt.length; i++) {
          if (!this.storedAt[i]) continue;
          const n = copies.get(i) ?? 0;
          if (n === 0) this.lost.add(i);
          if (n < 3) under++;
        }
        this.sim.meters.measure.availability.push({
          atMs: this.sim.clock.now(),
          stored: this.storedCount,
          lost: this.lost.size,
          underReplicated: under,
        });
      })
      .catch((error: unknown) => process.stderr.write(`availability check failed: ${String(error)}\n`))
      .finally(() => this.inFlight--);
  }

  /** The last availability sample, after the drain. */
  async finalAvailability(): Promise<void> {
    if (!this.sim.registrations) return;
    this.sampleAvailability();
    await this.sim.net.runUntil(() => this.inFlight === 0, 1000);
  }

  private poisson(ratePerS: number, fire: () => void): void {
    const next = (): void => {
      if (!this.running) return;
      fire();
      this.timers.push(this.sim.clock.schedule(this.exponentialMs(ratePerS), next));
    };
    this.timers.push(this.sim.clock.schedule(this.exponentialMs(ratePerS), next));
  }

  private exponentialMs(ratePerS: number): number {
    return (-Math.log(1 - this.random.next()) / ratePerS) * 1000;
  }

  private key(): RingId {
    if (this.keys.length === 0) return nodeIdFromBytes(this.random.bytes(16));
    const u = this.random.next();
    let lo = 0;
    let hi = this.zipfCdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.zipfCdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return this.keys[lo];
  }

  private lookup(): void {
    const sim = this.sim;
    const origin = sim.randomJoinedPeer(this.random);
    if (!origin) return;
    const key = this.key();
    const meters = sim.meters[sim.phase].lookups;
    const started = sim.clock.now();
    meters.issued++;
    this.inFlight++;
    routeProbe(origin.node, key)
      .then(
        (answer) => {
          if (answer.from !== sim.truth.responsibleFor(key)) return void meters.wrong++;
          meters.correct++;
          const latency = sim.clock.now() - started;
          meters.hops.add(answer.hops);
          meters.latencyMs.add(latency);
          if (answer.hops > 0) meters.stretch.add(latency / (2 * answer.hops * sim.delay.meanMs));
        },
        () => {
          if (origin.dead) meters.aborted++;
          else meters.failed++;
        },
      )
      .finally(() => this.inFlight--);
  }

  private store(i: number, attemptsLeft: number): void {
    const sim = this.sim;
    const registrations = sim.registrations;
    const via = sim.randomJoinedPeer(this.random);
    if (!registrations || !via?.storage) return;
    const meters = sim.meters[sim.phase].storage;
    meters.storesTried++;
    this.inFlight++;
    via.storage.storage
      .store(registrations.resourceOf(i), [
        { kind: REGISTRATION_KIND, generation: 0n, values: [registrations.values[i]] },
      ])
      .then(
        () => {
          meters.stored++;
          if (!this.storedAt[i]) this.storedCount++;
          this.storedAt[i] = true;
        },
        () => {
          meters.storeFailures++;
          if (attemptsLeft > 1 && this.running) {
            this.timers.push(sim.clock.schedule(5000, () => this.store(i, attemptsLeft - 1)));
          }
        },
      )
      .finally(() => this.inFlight--);
  }

  private fetch(): void {
    const sim = this.sim;
    const registrations = sim.registrations;
    if (!registrations || this.storedCount === 0) return;
    const via = sim.randomJoinedPeer(this.random);
    if (!via?.storage) return;
    // A random stored registration (rejection sampling; most are stored once the spread is over).
    let i = this.random.int(this.storedAt.length);
    for (let tries = 0; !this.storedAt[i] && tries < 16; tries++) i = this.random.int(this.storedAt.length);
    if (!this.storedAt[i]) return;
    const meters = sim.meters[sim.phase].storage;
    const expected = registrations.values[i].item;
    meters.fetches++;
    this.inFlight++;
    via.storage.storage
      .fetch(registrations.resourceOf(i), FETCH_SPEC)
      .then(
        ({ results }) => {
          const item = results[0]?.values[0]?.item;
          const same =
            item?.model === 'SINGLE' &&
            item.exists &&
            expected.model === 'SINGLE' &&
            Buffer.from(item.value).equals(Buffer.from(expected.value));
          if (same) meters.fetchedValue++;
          else meters.fetchedEmpty++;
        },
        () => {
          if (via.dead) meters.fetchAborted++;
          else meters.fetchFailed++;
        },
      )
      .finally(() => this.inFlight--);
  }

  /** Live copies per registration index, over every live peer's store. */
  private async countCopies(): Promise<Map<number, number>> {
    const sim = this.sim;
    const registrations = sim.registrations;
    const index = new Map<bigint, number>();
    for (let i = 0; i < this.storedAt.length; i++) {
      if (this.storedAt[i] && registrations) index.set(registrations.resourceOf(i), i);
    }
    const copies = new Map<number, number>();
    for (const peer of sim.peers.values()) {
      if (peer.dead || !peer.storage) continue;
      for (const record of await peer.storage.rules.allRecords()) {
        const i = index.get(record.resourceId);
        if (i !== undefined && record.values.some((v) => v.item.exists))
          copies.set(i, (copies.get(i) ?? 0) + 1);
      }
    }
    return copies;
  }
}
