import { SeededRandom } from '@p2psip/overlay/testing';
import { pairDelay, pairHash } from './delay';

describe('delay — pair delay models', () => {
  it('gives every pair the same constant delay', () => {
    const d = pairDelay({ model: 'constant', minMs: 25 });
    expect(d.delayMs(1, 2)).toBe(25);
    expect(d.meanMs).toBe(25);
  });

  it('draws uniform delays per unordered pair, fixed over time, with the stated mean', () => {
    const d = pairDelay({ model: 'uniform', minMs: 10, maxMs: 50 });
    expect(d.delayMs(3, 9)).toBe(d.delayMs(9, 3));
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = d.delayMs(i, i + 1 + (i % 97));
      expect(x).toBeGreaterThanOrEqual(10);
      expect(x).toBeLessThan(50);
      sum += x;
    }
    expect(sum / 20_000).toBeCloseTo(d.meanMs, 0);
    expect(pairHash(1, 2)).not.toBe(pairHash(1, 3));
  });

  it('places nodes on a plane and derives delays from distance, with the stated mean', () => {
    const d = pairDelay({ model: 'coordinate', minMs: 5, maxMs: 105 });
    const random = new SeededRandom(11);
    for (let i = 0; i < 2000; i++) d.place(i, random);
    expect(d.delayMs(4, 4)).toBe(5);
    expect(d.delayMs(4, 7)).toBe(d.delayMs(7, 4));
    let sum = 0;
    for (let i = 0; i < 1999; i++) sum += d.delayMs(i, i + 1);
    expect(Math.abs(sum / 1999 - d.meanMs)).toBeLessThan(3);
  });

  it('refuses a maximum below the minimum', () => {
    expect(() => pairDelay({ model: 'uniform', minMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});
