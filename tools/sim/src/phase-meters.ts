import type { TableCorrectness } from './correctness';
import { Samples } from './stats';
import type { TypeTraffic } from './traffic';

export type PhaseName = 'join' | 'warmup' | 'measure' | 'drain';

/** Lookups issued in a phase and what became of them. */
export class LookupMeters {
  issued = 0;
  /** Answered by the node the ground truth makes responsible when the answer arrived. */
  correct = 0;
  /** Answered, but by another node (a stale table somewhere on the path). */
  wrong = 0;
  /** Error answer or no answer after every retransmission. */
  failed = 0;
  /** The originating node left before the answer came (not counted either way). */
  aborted = 0;
  readonly hops = new Samples();
  readonly latencyMs = new Samples();
  /** Latency over the round-trip lower bound 2 × hops × mean link delay. */
  readonly stretch = new Samples();
}

/** Storage workload outcomes in a phase. */
export class StorageMeters {
  storesTried = 0;
  stored = 0;
  storeFailures = 0;
  fetches = 0;
  /** The fetch came back with the registration's value. */
  fetchedValue = 0;
  /** The fetch was answered, but without the value. */
  fetchedEmpty = 0;
  fetchFailed = 0;
  fetchAborted = 0;
}

export interface TableSample extends TableCorrectness {
  readonly atMs: number;
  readonly live: number;
}

export interface AvailabilitySample {
  readonly atMs: number;
  /** Registrations stored so far. */
  readonly stored: number;
  /** Stored registrations with no live copy left (lost for good: departed peers keep nothing). */
  readonly lost: number;
  /** Stored registrations with fewer than three live copies. */
  readonly underReplicated: number;
}

export class PhaseMeters {
  readonly traffic = new Map<string, TypeTraffic>();
  nodeSeconds = 0;
  readonly lookups = new LookupMeters();
  readonly storage = new StorageMeters();
  readonly tables: TableSample[] = [];
  readonly availability: AvailabilitySample[] = [];
}
