import type { SimConfig } from './config';
import type { TableCorrectness } from './correctness';
import type { AvailabilitySample, PhaseMeters, StorageMeters, TableSample } from './phase-meters';
import type { Simulation } from './simulation';
import { type Summary, ratio, round } from './stats';

export interface TrafficRow {
  readonly type: string;
  readonly messages: number;
  readonly bytes: number;
  /** Per live node per second of the phase. */
  readonly messagesPerNodeS: number;
  readonly bytesPerNodeS: number;
  readonly meanBytes: number;
}

export interface LookupResult {
  readonly issued: number;
  readonly correct: number;
  readonly wrong: number;
  readonly failed: number;
  readonly aborted: number;
  /** correct / (issued − aborted). */
  readonly successRatio: number;
  readonly hops: Summary;
  readonly latencyMs: Summary;
  readonly stretch: Summary;
}

export interface PhaseResult {
  readonly nodeSeconds: number;
  readonly lookups: LookupResult;
  /** Everything but the workload's own requests (route probes, users' stores and fetches). */
  readonly maintenance: { readonly messagesPerNodeS: number; readonly bytesPerNodeS: number };
  readonly traffic: readonly TrafficRow[];
}

export interface StorageResult extends StorageMeters {
  /** fetchedValue / (fetches − fetchAborted). */
  readonly availability: number;
  readonly registrations: number;
  readonly lost: number;
  readonly samples: readonly AvailabilitySample[];
}

export interface PerformanceResult {
  readonly wallMs: number;
  readonly joinWallMs: number;
  readonly events: number;
  readonly eventsPerWallS: number;
  /** Heap growth from before the first node to after the joins (after a GC when exposed), per node. */
  readonly heapPerNodeKb: number;
  readonly peakRssMb: number;
  readonly peakRssPerNodeKb: number;
  readonly gcExposed: boolean;
}

/** The JSON result. `metrics` depends only on the config; `performance` is this machine's. */
export interface SimResult {
  readonly config: SimConfig;
  readonly metrics: {
    readonly virtualMs: number;
    readonly liveAtEnd: number;
    readonly departures: number;
    readonly joinFailures: number;
    readonly sessions: { readonly model: string; readonly meanMs: number; readonly medianMs: number };
    readonly meanLinkDelayMs: number;
    readonly phases: { readonly warmup: PhaseResult; readonly measure: PhaseResult };
    readonly tables: {
      readonly mean: TableCorrectness | undefined;
      readonly samples: readonly TableSample[];
    };
    readonly storage?: StorageResult;
  };
  readonly performance: PerformanceResult;
}

const WORKLOAD_TYPES = new Set([
  'route_probe_req',
  'route_probe_ans',
  'store_req',
  'store_ans',
  'fetch_req',
  'fetch_ans',
]);

function summary(s: Summary): Summary {
  return { count: s.count, mean: round(s.mean), p50: round(s.p50), p99: round(s.p99), max: round(s.max) };
}

function phaseResult(m: PhaseMeters): PhaseResult {
  const l = m.lookups;
  const perNode = (x: number): number => round(m.nodeSeconds > 0 ? x / m.nodeSeconds : NaN, 3);
  const traffic = [...m.traffic.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, t]) => ({
      type,
      messages: t.messages,
      bytes: Math.round(t.bytes),
      messagesPerNodeS: perNode(t.messages),
      bytesPerNodeS: perNode(t.bytes),
      meanBytes: round(t.messages ? t.bytes / t.messages : 0, 1),
    }));
  // store_ans answers users' stores and replica copies alike; it counts as workload here.
  const maintenance = traffic.filter((t) => !WORKLOAD_TYPES.has(t.type));
  return {
    nodeSeconds: round(m.nodeSeconds, 1),
    lookups: {
      issued: l.issued,
      correct: l.correct,
      wrong: l.wrong,
      failed: l.failed,
      aborted: l.aborted,
      successRatio: round(ratio(l.correct, l.issued - l.aborted), 6),
      hops: summary(l.hops.summary()),
      latencyMs: summary(l.latencyMs.summary()),
      stretch: summary(l.stretch.summary()),
    },
    maintenance: {
      messagesPerNodeS: perNode(maintenance.reduce((s, t) => s + t.messages, 0)),
      bytesPerNodeS: perNode(maintenance.reduce((s, t) => s + (m.traffic.get(t.type)?.bytes ?? 0), 0)),
    },
    traffic,
  };
}

function meanTables(samples: readonly TableSample[]): TableCorrectness | undefined {
  if (samples.length === 0) return undefined;
  const avg = (f: (s: TableSample) => number): number =>
    round(samples.reduce((sum, s) => sum + f(s), 0) / samples.length, 5);
  return {
    nodes: Math.round(avg((s) => s.nodes)),
    successor: avg((s) => s.successor),
    successorList: avg((s) => s.successorList),
    predecessor: avg((s) => s.predecessor),
    fingersLive: avg((s) => s.fingersLive),
    fingerCoverage: avg((s) => s.fingerCoverage),
  };
}

export function buildResult(sim: Simulation, performance: PerformanceResult): SimResult {
  const measure = sim.meters.measure;
  const s = measure.storage;
  const last = measure.availability[measure.availability.length - 1];
  return {
    config: sim.config,
    metrics: {
      virtualMs: sim.clock.now(),
      liveAtEnd: sim.truth.size,
      departures: sim.departures,
      joinFailures: sim.joinFailures,
      sessions: {
        model: sim.sessions.model,
        meanMs: round(sim.sessions.meanMs, 1),
        medianMs: round(sim.sessions.medianMs, 1),
      },
      meanLinkDelayMs: round(sim.delay.meanMs, 3),
      phases: { warmup: phaseResult(sim.meters.warmup), measure: phaseResult(measure) },
      tables: {
        mean: meanTables(measure.tables),
        samples: measure.tables.map((t) => ({
          ...t,
          successor: round(t.successor, 5),
          successorList: round(t.successorList, 5),
          predecessor: round(t.predecessor, 5),
          fingersLive: round(t.fingersLive, 5),
          fingerCoverage: round(t.fingerCoverage, 5),
        })),
      },
      ...(sim.registrations
        ? {
            storage: {
              ...s,
              availability: round(ratio(s.fetchedValue, s.fetches - s.fetchAborted), 6),
              registrations: sim.config.registrations,
              lost: last?.lost ?? 0,
              samples: measure.availability,
            },
          }
        : {}),
    },
    performance,
  };
}
