/**
 * When each AOR's overlay registration was last stored, and for how long: a phone refreshing
 * bindings that did not change need not cost an overlay store while the stored entry still has
 * more than a third of its life (the edge re-stores before that, as a client refreshes at ⅔).
 */
export class StoredRegistrations {
  private readonly until = new Map<string, { storedAtMs: number; expiresAtMs: number; bindings: string }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the entry stored for `aor` covers `expiresS` more and is past less than ⅔ of its life. */
  isFresh(aor: string, expiresS: number, bindings = ''): boolean {
    const entry = this.until.get(aor);
    if (!entry || entry.bindings !== bindings) return false;
    const now = this.now();
    const life = entry.expiresAtMs - entry.storedAtMs;
    return now < entry.storedAtMs + (life * 2) / 3 && entry.expiresAtMs >= now + expiresS * 1000 * (1 / 3);
  }

  record(aor: string, expiresS: number, bindings = ''): void {
    const now = this.now();
    this.until.set(aor, { storedAtMs: now, expiresAtMs: now + expiresS * 1000, bindings });
  }

  forget(aor: string): void {
    this.until.delete(aor);
  }
}
