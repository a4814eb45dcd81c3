import { MINUTE_MS, SECOND_MS } from '@p2psip/overlay';
import type { ChurnModelName } from './churn';
import type { DelayModelName } from './delay';

/** Everything a run depends on; with the same config (seed included) a run gives the same numbers. */
export interface SimConfig {
  /** Scenario name (report title, output folder). */
  readonly name: string;
  readonly nodes: number;
  readonly seed: number;
  /** Churn: session-time model, mean or median session, shape, mean downtime before a replacement joins. */
  readonly churn: ChurnModelName;
  readonly sessionMeanMs?: number;
  readonly sessionMedianMs?: number;
  readonly churnShape?: number;
  /** Mean (exponential) time until a departed node's replacement joins, ms; 0 = at once. @default 0 */
  readonly downtimeMeanMs: number;
  /** Share of departures that are graceful Leaves rather than crashes. @default 0 */
  readonly leaveFraction: number;
  /** Link delay model and its bounds, ms. */
  readonly delay: DelayModelName;
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  /** Probability that a message in flight is lost. @default 0 */
  readonly loss: number;
  /** How long the survivors take to notice a crashed neighbour's links close, ms. @default 1 s */
  readonly failureDetectionMs: number;
  /** Initial joins per second of virtual time. @default max(20, nodes / 300) */
  readonly joinRatePerS: number;
  /** Virtual time after the initial joins before measuring, ms. */
  readonly warmupMs: number;
  /** Measured virtual time, ms. */
  readonly durationMs: number;
  /** Lookups (route probes to random keys from random live nodes) per second of virtual time. */
  readonly lookupsPerS: number;
  /** Lookup keys: uniform over the ring, or Zipf over `keyCount` keys. */
  readonly keys: 'uniform' | 'zipf';
  readonly keyCount: number;
  readonly zipfExponent: number;
  /** Registrations (signed values) stored at the start of measurement; 0 = no storage workload. */
  readonly registrations: number;
  /** Fetches of random registrations per second during measurement. */
  readonly fetchesPerS: number;
  /** Period of routing-table and data-availability checks, ms. @default 1 min */
  readonly sampleIntervalMs: number;
  /** Overlay timers, ms. @default 60 s each (the overlay's defaults) */
  readonly updateIntervalMs: number;
  readonly pingIntervalMs: number;
  /** Every how many messages of a type one is encoded for its wire size. @default 16 */
  readonly byteSampleEvery: number;
}

export function defaultConfig(nodes = 1000): SimConfig {
  return {
    name: 'run',
    nodes,
    seed: 1,
    churn: 'none',
    downtimeMeanMs: 0,
    leaveFraction: 0,
    delay: 'constant',
    delayMinMs: 10,
    delayMaxMs: 100,
    loss: 0,
    failureDetectionMs: SECOND_MS,
    joinRatePerS: Math.max(20, nodes / 300),
    warmupMs: 5 * MINUTE_MS,
    durationMs: 10 * MINUTE_MS,
    lookupsPerS: 20,
    keys: 'uniform',
    keyCount: 10_000,
    zipfExponent: 1,
    registrations: 0,
    fetchesPerS: 5,
    sampleIntervalMs: MINUTE_MS,
    updateIntervalMs: MINUTE_MS,
    pingIntervalMs: MINUTE_MS,
    byteSampleEvery: 16,
  };
}

export function validateConfig(c: SimConfig): SimConfig {
  const positive = [
    'nodes',
    'durationMs',
    'joinRatePerS',
    'sampleIntervalMs',
    'updateIntervalMs',
    'pingIntervalMs',
  ] as const;
  for (const key of positive) if (!(c[key] > 0)) throw new RangeError(`${key} must be > 0`);
  if (!Number.isInteger(c.nodes) || c.nodes < 2) throw new RangeError('nodes must be an integer ≥ 2');
  if (!(c.loss >= 0 && c.loss < 1)) throw new RangeError('loss must be in [0, 1)');
  if (!(c.leaveFraction >= 0 && c.leaveFraction <= 1))
    throw new RangeError('leaveFraction must be in [0, 1]');
  if (!(c.warmupMs >= 0) || !(c.lookupsPerS >= 0) || !(c.fetchesPerS >= 0) || !(c.registrations >= 0)) {
    throw new RangeError('warm-up, rates and registrations must be ≥ 0');
  }
  if (c.churn !== 'none' && (c.sessionMeanMs === undefined) === (c.sessionMedianMs === undefined)) {
    throw new RangeError('churn needs exactly one of --session-mean and --session-median');
  }
  return c;
}
