import { createHmac, randomBytes } from 'node:crypto';

export interface CredentialCacheInit {
  /** How long a verified password is remembered, ms. @default 5 minutes */
  readonly ttlMs?: number;
  /** Entries kept at most (oldest dropped first). @default 10 000 */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Remembers that a (user, password) pair verified against a given stored hash, so a device that
 * re-enrolls, or a fleet of peers enrolling under one operator account, does not pay the
 * memory-hard KDF each time. Only an HMAC under a per-process random key is kept, never the
 * password; changing the stored hash (new password) invalidates the entry.
 */
export class CredentialCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { passwordHash: string; expiresAtMs: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(init: CredentialCacheInit = {}) {
    this.ttlMs = init.ttlMs ?? 5 * 60 * 1000;
    this.maxEntries = init.maxEntries ?? 10_000;
    this.now = init.now ?? Date.now;
  }

  has(userName: string, password: string, passwordHash: string): boolean {
    const id = this.idOf(userName, password);
    const entry = this.entries.get(id);
    if (!entry) return false;
    if (entry.passwordHash !== passwordHash || entry.expiresAtMs <= this.now()) {
      this.entries.delete(id);
      return false;
    }
    return true;
  }

  remember(userName: string, password: string, passwordHash: string): void {
    const id = this.idOf(userName, password);
    this.entries.delete(id);
    this.entries.set(id, { passwordHash, expiresAtMs: this.now() + this.ttlMs });
    // Map iteration order is insertion order: the first key is the oldest entry.
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
  }

  private idOf(userName: string, password: string): string {
    return createHmac('sha256', this.key).update(userName).update('\0').update(password).digest('base64');
  }
}
