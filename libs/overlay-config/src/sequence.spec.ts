import { isNewerSequence, nextSequence } from './sequence';

describe('overlay-config — sequence numbers', () => {
  it('accepts a later sequence and refuses the same or an earlier one', () => {
    expect(isNewerSequence(6, 5)).toBe(true);
    expect(isNewerSequence(5, 5)).toBe(false);
    expect(isNewerSequence(4, 5)).toBe(false);
  });

  it('wraps from 65534 to 0', () => {
    expect(nextSequence(65534)).toBe(0);
    expect(isNewerSequence(0, 65534)).toBe(true);
    expect(isNewerSequence(3, 65533)).toBe(true);
    expect(isNewerSequence(65534, 0)).toBe(false);
  });

  it('counts a jump of more than half the circle as a replay of an older document', () => {
    expect(isNewerSequence(5 + 32767, 5)).toBe(true);
    expect(isNewerSequence(5 + 32768, 5)).toBe(false);
    expect(isNewerSequence(40000, 0)).toBe(false);
  });

  it('always accepts the reserved wire value 65535 and never other out-of-range values', () => {
    expect(isNewerSequence(65535, 100)).toBe(true);
    expect(isNewerSequence(70000, 100)).toBe(false);
    expect(isNewerSequence(1.5, 1)).toBe(false);
  });
});
