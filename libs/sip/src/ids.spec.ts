import { InvalidSipMessageError } from './errors';
import { isToken, isWord } from './grammar';
import { newBranch, newCallId, newTag } from './ids';

describe('identifiers', () => {
  it('makes branches that start with the magic cookie and are tokens', () => {
    const branches = Array.from({ length: 100 }, newBranch);
    for (const branch of branches) {
      expect(branch.startsWith('z9hG4bK')).toBe(true);
      expect(isToken(branch)).toBe(true);
      expect(branch.length).toBeGreaterThan(7 + 15);
    }
    expect(new Set(branches).size).toBe(branches.length);
  });

  it('makes distinct token tags', () => {
    const tags = Array.from({ length: 100 }, newTag);
    expect(tags.every(isToken)).toBe(true);
    expect(new Set(tags).size).toBe(tags.length);
  });

  it('makes Call-IDs random@host, and refuses hosts that are not words', () => {
    const callId = newCallId('[2001:db8::1]');
    expect(callId).toMatch(/^[0-9a-f]{32}@\[2001:db8::1\]$/);
    expect(callId.split('@').every(isWord)).toBe(true);
    expect(newCallId('a.example.com')).not.toBe(newCallId('a.example.com'));
    expect(() => newCallId('a b')).toThrow(InvalidSipMessageError);
    expect(() => newCallId('')).toThrow(InvalidSipMessageError);
  });
});
