import type { NodeId } from '@p2psip/identity';
import { RingTruth } from './ring-truth';
import { Samples, percentileOfSorted, ratio, round } from './stats';
import { parseDuration } from './options';

describe('stats — samples and percentiles', () => {
  it('gives mean, nearest-rank p50/p99 and max', () => {
    const s = new Samples();
    for (let i = 1; i <= 2000; i++) s.add(i);
    expect(s.summary()).toEqual({ count: 2000, mean: 1000.5, p50: 1000, p99: 1980, max: 2000 });
    expect(percentileOfSorted([3], 0.99)).toBe(3);
    expect(new Samples().summary().count).toBe(0);
  });

  it('rounds and divides without inventing numbers', () => {
    expect(ratio(1, 0)).toBeNaN();
    expect(round(2 / 3, 3)).toBe(0.667);
  });

  it('parses durations with units', () => {
    expect(parseDuration('1.4m')).toBe(84_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('250')).toBe(250);
    expect(() => parseDuration('soon')).toThrow(RangeError);
  });
});

describe('ring truth — responsibility and neighbours', () => {
  const n = (x: bigint): NodeId => x as NodeId;
  const truth = new RingTruth();
  for (const id of [40n, 10n, 30n, 20n]) truth.add(n(id));

  it('makes the first id at or after a key responsible, wrapping round', () => {
    expect(truth.responsibleFor(20n)).toBe(20n);
    expect(truth.responsibleFor(21n)).toBe(30n);
    expect(truth.responsibleFor(41n)).toBe(10n);
  });

  it('lists successors and predecessors clockwise and anticlockwise', () => {
    expect(truth.successorsOf(n(30n), 3)).toEqual([40n, 10n, 20n]);
    expect(truth.predecessorsOf(n(10n), 2)).toEqual([40n, 30n]);
    expect(truth.successorsOf(n(30n), 9)).toHaveLength(3);
  });

  it('tells whether a wrapping interval holds a live id', () => {
    expect(truth.anyIn(41n, 5n)).toBe(false);
    expect(truth.anyIn(41n, 10n)).toBe(true);
    expect(truth.anyIn(11n, 19n)).toBe(false);
    truth.remove(n(20n));
    expect(truth.responsibleFor(15n)).toBe(30n);
  });
});
