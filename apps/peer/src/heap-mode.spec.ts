import { LEAN_HEAP_FROM_PEERS, parseHeapMode, resolveHeapMode } from './heap-mode';

describe('heap mode', () => {
  it('auto is lean for a process dense with virtual peers and fast for a few', () => {
    expect(resolveHeapMode('auto', LEAN_HEAP_FROM_PEERS)).toBe('lean');
    expect(resolveHeapMode('auto', 50)).toBe('lean');
    expect(resolveHeapMode('auto', LEAN_HEAP_FROM_PEERS - 1)).toBe('fast');
    expect(resolveHeapMode('auto', 1)).toBe('fast');
  });

  it('an explicit mode wins over the peer count', () => {
    expect(resolveHeapMode('fast', 50)).toBe('fast');
    expect(resolveHeapMode('lean', 1)).toBe('lean');
  });

  it('refuses anything but auto, lean and fast', () => {
    expect(parseHeapMode('lean')).toBe('lean');
    expect(() => parseHeapMode('small')).toThrow('--heap takes auto, lean or fast, got small');
    expect(() => parseHeapMode('')).toThrow();
  });
});
