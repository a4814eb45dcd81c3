/**
 * When each AOR's overlay registration was last stored, and for how long. The stored entry is a
 * route to this edge ([attachment peer, edge]), not the phones' Contacts, so a REGISTER that adds,
 * changes or refreshes bindings needs no overlay store while that entry is in the first ⅔ of its
 * life; past that, the edge renews it (as a client refreshes at ⅔) while the AOR has bindings.
 */
export class StoredRegistrations {
  private readonly until = new Map<string, { storedAtMs: number; expiresAtMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the entry stored for `aor` is in the first ⅔ of its life. */
  isFresh(aor: string): boolean {
    const entry = this.until.get(aor);
    return entry !== undefined && this.now() < renewalTime(entry);
  }

  record(aor: string, lifetimeS: number): void {
    const now = this.now();
    this.until.set(aor, { storedAtMs: now, expiresAtMs: now + lifetimeS * 1000 });
  }

  forget(aor: string): void {
    this.until.delete(aor);
  }

  /** AORs whose entries are past ⅔ of their life (renew them, or let them go). */
  due(): string[] {
    const now = this.now();
    return [...this.until].filter(([, entry]) => now >= renewalTime(entry)).map(([aor]) => aor);
  }
}

function renewalTime(entry: { storedAtMs: number; expiresAtMs: number }): number {
  return entry.storedAtMs + ((entry.expiresAtMs - entry.storedAtMs) * 2) / 3;
}
