import { readFileSync } from 'node:fs';
import { MINUTE_MS, SECOND_MS } from '@p2psip/overlay';
import type { ChurnModelName } from './churn';
import { type SimConfig, defaultConfig, validateConfig } from './config';
import type { DelayModelName } from './delay';

/**
 * Options as the command line and scenario files give them: durations as text (`90s`, `10m`,
 * `1.4m`, `1h`, or plain milliseconds), everything else as numbers or names.
 */
export type RawOptions = Record<string, string | number | boolean | undefined>;

const UNITS: Record<string, number> = {
  ms: 1,
  s: SECOND_MS,
  m: MINUTE_MS,
  min: MINUTE_MS,
  h: 60 * MINUTE_MS,
};

export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text;
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(ms|s|m|min|h)?\s*$/.exec(text);
  if (!m) throw new RangeError(`not a duration: ${text} (e.g. 500ms, 90s, 10m, 1.4m, 1h)`);
  return Number(m[1]) * UNITS[m[2] ?? 'ms'];
}

function num(x: string | number | boolean | undefined): number | undefined {
  if (x === undefined) return undefined;
  const n = Number(x);
  if (!Number.isFinite(n)) throw new RangeError(`not a number: ${String(x)}`);
  return n;
}

function dur(x: string | number | boolean | undefined): number | undefined {
  return x === undefined || typeof x === 'boolean' ? undefined : parseDuration(x);
}

/** A scenario file: a name, a line saying what it shows, and options as on the command line. */
export interface ScenarioFile {
  readonly name: string;
  readonly description?: string;
  readonly options: RawOptions;
}

export function readScenario(file: string): ScenarioFile {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as ScenarioFile;
  if (typeof parsed.name !== 'string' || typeof parsed.options !== 'object') {
    throw new Error(`${file}: a scenario needs "name" and "options"`);
  }
  return parsed;
}

/** Turns raw options (scenario first, command line on top) into a validated config. */
export function toConfig(raw: RawOptions): SimConfig {
  const nodes = num(raw.nodes) ?? 1000;
  const d = defaultConfig(nodes);
  const pick = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);
  return validateConfig({
    name: pick(raw.name as string | undefined, d.name),
    nodes,
    seed: pick(num(raw.seed), d.seed),
    churn: pick(raw.churn as ChurnModelName | undefined, d.churn),
    sessionMeanMs: dur(raw.sessionMean),
    sessionMedianMs: dur(raw.sessionMedian),
    churnShape: num(raw.churnShape),
    downtimeMeanMs: pick(dur(raw.downtimeMean), d.downtimeMeanMs),
    leaveFraction: pick(num(raw.leaveFraction), d.leaveFraction),
    delay: pick(raw.delay as DelayModelName | undefined, d.delay),
    delayMinMs: pick(dur(raw.delayMin), d.delayMinMs),
    delayMaxMs: pick(dur(raw.delayMax), d.delayMaxMs),
    loss: pick(num(raw.loss), d.loss),
    failureDetectionMs: pick(dur(raw.failureDetection), d.failureDetectionMs),
    joinRatePerS: pick(num(raw.joinRate), d.joinRatePerS),
    warmupMs: pick(dur(raw.warmup), d.warmupMs),
    durationMs: pick(dur(raw.duration), d.durationMs),
    lookupsPerS: pick(num(raw.lookupRate), d.lookupsPerS),
    keys: pick(raw.keys as 'uniform' | 'zipf' | undefined, d.keys),
    keyCount: pick(num(raw.keyCount), d.keyCount),
    zipfExponent: pick(num(raw.zipfExponent), d.zipfExponent),
    registrations: pick(num(raw.registrations), d.registrations),
    fetchesPerS: pick(num(raw.fetchRate), d.fetchesPerS),
    sampleIntervalMs: pick(dur(raw.sampleInterval), d.sampleIntervalMs),
    updateIntervalMs: pick(dur(raw.updateInterval), d.updateIntervalMs),
    pingIntervalMs: pick(dur(raw.pingInterval), d.pingIntervalMs),
    byteSampleEvery: pick(num(raw.byteSampleEvery), d.byteSampleEvery),
  });
}
