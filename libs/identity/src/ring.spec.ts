import fc from 'fast-check';
import { InvalidIdError } from './errors';
import {
  arcPartsPerBillion,
  clockwiseDistance,
  fingerInterval,
  fingerStart,
  inClosedClosed,
  inClosedOpen,
  inOpenClosed,
  inOpenOpen,
  randomIdInInterval,
  ringAdd,
  ringSub,
} from './ring';
import { RING_SIZE } from './ring-id';

const id = fc.bigInt({ min: 0n, max: RING_SIZE - 1n });
// Ids near 0 and 2^128−1 exercise the wrap-around more often than uniform draws do.
const edgyId = fc.oneof(
  id,
  fc.bigInt({ min: 0n, max: 16n }),
  fc.bigInt({ min: RING_SIZE - 16n, max: RING_SIZE - 1n }),
);

describe('identity — ring arithmetic', () => {
  it('adds and subtracts modulo 2^128', () => {
    fc.assert(
      fc.property(edgyId, edgyId, (a, b) => {
        const sum = ringAdd(a, b);
        expect(sum >= 0n && sum < RING_SIZE).toBe(true);
        expect(ringSub(sum, b)).toBe(a);
      }),
    );
  });

  it('measures clockwise distance so that d(a,b) + d(b,a) is 0 or 2^128', () => {
    fc.assert(
      fc.property(edgyId, edgyId, (a, b) => {
        const total = clockwiseDistance(a, b) + clockwiseDistance(b, a);
        expect(total).toBe(a === b ? 0n : RING_SIZE);
        expect(ringAdd(a, clockwiseDistance(a, b))).toBe(b);
      }),
    );
  });

  it('splits the ring: for a ≠ b every id is in exactly one of (a,b] and (b,a]', () => {
    fc.assert(
      fc.property(edgyId, edgyId, edgyId, (x, a, b) => {
        fc.pre(a !== b);
        expect(Number(inOpenClosed(x, a, b)) + Number(inOpenClosed(x, b, a))).toBe(1);
      }),
    );
  });

  it('relates the four interval kinds at their end points', () => {
    fc.assert(
      fc.property(edgyId, edgyId, edgyId, (x, a, b) => {
        fc.pre(a !== b);
        expect(inOpenClosed(x, a, b)).toBe(inOpenOpen(x, a, b) || x === b);
        expect(inClosedOpen(x, a, b)).toBe(inOpenOpen(x, a, b) || x === a);
        expect(inClosedClosed(x, a, b)).toBe(inOpenOpen(x, a, b) || x === a || x === b);
        expect(inOpenOpen(a, a, b) || inOpenOpen(b, a, b)).toBe(false);
      }),
    );
  });

  it('treats (p, p] as the whole ring, so a lone peer is responsible for everything', () => {
    fc.assert(fc.property(edgyId, edgyId, (x, p) => expect(inOpenClosed(x, p, p)).toBe(true)));
    expect(inOpenOpen(5n, 5n, 5n)).toBe(false);
    expect(inOpenOpen(6n, 5n, 5n)).toBe(true);
  });

  it('handles intervals that wrap past zero', () => {
    const nearEnd = RING_SIZE - 10n;
    expect(inOpenClosed(3n, nearEnd, 5n)).toBe(true);
    expect(inOpenClosed(RING_SIZE - 1n, nearEnd, 5n)).toBe(true);
    expect(inOpenClosed(6n, nearEnd, 5n)).toBe(false);
    expect(inOpenClosed(nearEnd, nearEnd, 5n)).toBe(false);
  });

  it('places finger i at self + 2^(128−i), inside its interval, the intervals tiling half-rings', () => {
    fc.assert(
      fc.property(edgyId, fc.integer({ min: 1, max: 128 }), (self, i) => {
        const { start, end } = fingerInterval(self, i);
        expect(fingerStart(self, i)).toBe(start);
        expect(clockwiseDistance(self, start)).toBe(1n << BigInt(128 - i));
        expect(clockwiseDistance(start, end)).toBe((1n << BigInt(128 - i)) - 1n);
        if (i > 1) expect(ringAdd(end, 1n)).toBe(fingerInterval(self, i - 1).start);
      }),
    );
    expect(fingerStart(0n, 1)).toBe(RING_SIZE / 2n);
    expect(() => fingerStart(0n, 0)).toThrow(InvalidIdError);
    expect(() => fingerStart(0n, 129)).toThrow(InvalidIdError);
  });

  it('draws random ids inside the interval asked for', () => {
    fc.assert(
      fc.property(
        edgyId,
        fc.integer({ min: 1, max: 128 }),
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        (self, i, bytes) => {
          const interval = fingerInterval(self, i);
          const drawn = randomIdInInterval(interval, () => bytes);
          expect(inClosedClosed(drawn, interval.start, interval.end)).toBe(true);
        },
      ),
    );
  });

  it('expresses arcs in parts per billion for Probe', () => {
    expect(arcPartsPerBillion(0n, RING_SIZE / 2n)).toBe(500_000_000);
    expect(arcPartsPerBillion(7n, 7n)).toBe(1_000_000_000);
  });
});
