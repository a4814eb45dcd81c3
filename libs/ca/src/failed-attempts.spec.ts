import { CredentialCache } from './credential-cache';
import { FailedAttempts } from './failed-attempts';

describe('ca — failed attempts', () => {
  it('locks a user name after too many failures in the window, and unlocks later', () => {
    let now = 0;
    const attempts = new FailedAttempts({ maxFailures: 3, windowMs: 1000, lockoutMs: 5000, now: () => now });
    attempts.recordFailure('a@x.test');
    attempts.recordFailure('a@x.test');
    expect(attempts.isLocked('a@x.test')).toBe(false);
    attempts.recordFailure('a@x.test');
    expect(attempts.isLocked('a@x.test')).toBe(true);
    expect(attempts.isLocked('b@x.test')).toBe(false);
    now = 5001;
    expect(attempts.isLocked('a@x.test')).toBe(false);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const attempts = new FailedAttempts({ maxFailures: 2, windowMs: 100, now: () => now });
    attempts.recordFailure('a@x.test');
    now = 200;
    attempts.recordFailure('a@x.test');
    expect(attempts.isLocked('a@x.test')).toBe(false);
  });
});

describe('ca — credential cache', () => {
  it('remembers a verified password until it expires or the stored hash changes', () => {
    let now = 0;
    const cache = new CredentialCache({ ttlMs: 1000, now: () => now });
    cache.remember('a@x.test', 'pw', 'hash-1');
    expect(cache.has('a@x.test', 'pw', 'hash-1')).toBe(true);
    expect(cache.has('a@x.test', 'other', 'hash-1')).toBe(false);
    expect(cache.has('a@x.test', 'pw', 'hash-2')).toBe(false);
    cache.remember('a@x.test', 'pw', 'hash-1');
    now = 1001;
    expect(cache.has('a@x.test', 'pw', 'hash-1')).toBe(false);
  });

  it('keeps at most maxEntries', () => {
    const cache = new CredentialCache({ maxEntries: 2 });
    cache.remember('a', 'pw', 'h');
    cache.remember('b', 'pw', 'h');
    cache.remember('c', 'pw', 'h');
    expect(cache.has('a', 'pw', 'h')).toBe(false);
    expect(cache.has('c', 'pw', 'h')).toBe(true);
  });
});
